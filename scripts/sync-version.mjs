// Writes package.json's version into pipe.yml's image and every `pipe: org/ecs-deploy-notifier:…`
// reference in the README and the examples, so that the docs always show the released version.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const IMAGE = 'org/ecs-deploy-notifier';

export function syncVersion(dir = '.') {
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  // Exact versions only: prose about the moving `1.x` ref stays as it is.
  const ref = new RegExp(`(${IMAGE.replace('/', '\\/')}):\\d+\\.\\d+\\.\\d+(?:-[0-9A-Za-z.-]+)?`, 'g');
  const files = ['pipe.yml', 'README.md', ...listExamples(dir)];
  for (const file of files) {
    const path = join(dir, file);
    let text;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    const next = text.replace(ref, `$1:${version}`);
    if (next !== text) writeFileSync(path, next);
  }
  return version;
}

function listExamples(dir) {
  try {
    return readdirSync(join(dir, 'examples'))
      .filter((f) => /\.(ya?ml|md)$/.test(f))
      .map((f) => join('examples', f));
  } catch {
    return [];
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`docs now reference ${IMAGE}:${syncVersion()}`);
}
