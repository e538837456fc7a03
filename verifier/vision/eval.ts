// npm run vision:eval [-- --quick]: the vision pipeline measured on generated, labelled
// images (never a download): the near-duplicate search per edit type (eval-duplicates.ts)
// and the detector stages' hit and false-flag rates (eval-detectors.ts), in one run with
// the models loaded once. --quick runs smaller sets (about a quarter). Figures are printed,
// never asserted.
import { evalDetectors, FULL_SIZE, QUICK_SIZE } from './eval-detectors.ts';
import { evalDuplicates, FULL_DUPLICATES, QUICK_DUPLICATES } from './eval-duplicates.ts';
import { loadVisionModels } from './models.ts';

const quick = process.argv.includes('--quick');
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const models = await loadVisionModels();
const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`;

const tDup = performance.now();
const described = await evalDuplicates(models, quick ? QUICK_DUPLICATES : FULL_DUPLICATES);
const tDet = performance.now();
const detected = await evalDetectors(models, quick ? QUICK_SIZE : FULL_SIZE);
const cpu = process.cpuUsage(cpu0);
console.log(`\n${quick ? 'quick' : 'full'} run: ${described} images described (${seconds(tDet - tDup)}), ${detected} through the detector stages (${seconds(performance.now() - tDet)});`);
console.log(`wall ${seconds(performance.now() - t0)}, CPU ${seconds((cpu.user + cpu.system) / 1000)} (shared 2-core machine: wall time is noisy)`);
