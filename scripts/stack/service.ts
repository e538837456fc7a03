/** A service the stack started: where it listens and how to stop it. */
export interface RunningService {
  name: string;
  url: string;
  stop(): Promise<void>;
}
