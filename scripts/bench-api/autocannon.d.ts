// autocannon 8/9 ships no type declarations; this is the part bench-api uses.
declare module 'autocannon' {
  interface Histogram { average: number; min: number; max: number; p50: number; p90: number; p97_5: number; p99: number; p99_9: number }
  interface RawRequest { method?: string; path?: string; headers?: Record<string, string>; body?: string }
  interface RequestSpec extends RawRequest {
    setupRequest?: (req: RawRequest, context: Record<string, unknown>) => RawRequest | null;
    onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
  }
  export interface Options {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    overallRate?: number;
    timeout?: number;
    requests?: RequestSpec[];
  }
  export interface Result {
    latency: Histogram;
    requests: Histogram;
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    statusCodeStats: Record<string, { count: number }>;
  }
  export default function autocannon(options: Options): Promise<Result> & { stop(): void };
}
