// Browser stand-in for the two Buffer calls ledger/bytes.ts makes (hex in, hex out);
// injected by esbuild (api/routes/web.ts) in place of Node's global Buffer.
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

class HexView {
  constructor(readonly bytes: Uint8Array) {}
  toString(encoding: string): string {
    if (encoding !== 'hex') throw new Error(`Buffer shim: unsupported encoding ${encoding}`);
    let s = '';
    for (const b of this.bytes) s += HEX[b];
    return s;
  }
}

export const Buffer = {
  from(src: ArrayBufferLike | string, a?: number | string, b?: number): HexView | Uint8Array {
    if (typeof src === 'string') {
      if (a !== 'hex') throw new Error(`Buffer shim: unsupported encoding ${String(a)}`);
      const out = new Uint8Array(src.length >> 1);
      for (let i = 0; i < out.length; i++) out[i] = parseInt(src.slice(2 * i, 2 * i + 2), 16);
      return out;
    }
    return new HexView(new Uint8Array(src, a as number, b));
  },
};
