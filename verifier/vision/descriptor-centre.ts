// npm run vision:descriptor-centre — writes descriptor-centre.json: the mean features
// (descriptor.ts imageFeatures) of 32 seeded training images, rendered scenes and
// synthetic photos whose seeds the eval never uses. Subtracting it removes what every
// picture has in common, so cosine similarity tells pictures apart. Rerun after a
// change of model or features; it changes the descriptor version.
import { writeFileSync } from 'node:fs';
import { syntheticPhoto } from '../media/fixtures.ts';
import { FEATURES, imageFeatures } from './descriptor.ts';
import { renderedScene } from './eval-images.ts';
import { loadVisionModels } from './models.ts';

const TRAINING = 16;

const models = await loadVisionModels();
const sum = new Float64Array(FEATURES);
const images = [...Array.from({ length: TRAINING }, (_, i) => () => renderedScene(50_000 + i)), ...Array.from({ length: TRAINING }, (_, i) => () => syntheticPhoto(900 + i))];
for (const image of images) {
  const f = await imageFeatures(models, await image());
  for (let i = 0; i < FEATURES; i++) sum[i] = (sum[i] ?? 0) + (f[i] ?? 0);
}
const centre = Array.from(sum, (s) => Math.round((s / images.length) * 1e6) / 1e6);
writeFileSync(new URL('./descriptor-centre.json', import.meta.url), `${JSON.stringify(centre)}\n`);
console.log(`descriptor-centre.json: mean of ${images.length} training images' features`);
