// The few DOM types web/verify.ts uses, declared locally: the root tsconfig has no DOM lib, and a
// `/// <reference lib="dom" />` would leak DOM globals into every file of the program.
export interface MiniElement {
  textContent: string | null;
  className: string;
  value: string;
  disabled: boolean;
  classList: { add(c: string): void; remove(c: string): void };
  append(...nodes: (MiniElement | string)[]): void;
  replaceChildren(...nodes: MiniElement[]): void;
  setAttribute(name: string, value: string): void;
  addEventListener(type: string, fn: (ev: MiniEvent) => void): void;
}

export interface MiniEvent {
  preventDefault(): void;
  dataTransfer?: { files: ArrayLike<{ text(): Promise<string> }> } | null;
}

export interface MiniDocument {
  getElementById(id: string): MiniElement | null;
  createElement(tag: string): MiniElement;
}

export interface MiniWindow { document: MiniDocument; location: { origin: string; search: string } }

export const browser = (): MiniWindow => globalThis as unknown as MiniWindow;
