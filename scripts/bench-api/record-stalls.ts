// `node --import tsx --import scripts/bench-api/record-stalls.ts ...`: the process notes its stalls (stall-probe.ts).
import { recordStalls } from './stall-probe.ts';

recordStalls();
