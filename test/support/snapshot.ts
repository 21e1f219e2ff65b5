// Minimal snapshot testing: the first run (or UPDATE_SNAPSHOTS=1) writes test/snapshots/NAME.json;
// later runs must produce exactly the same JSON.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'chai';

const dir = new URL('../snapshots/', import.meta.url);

export function matchSnapshot(name: string, value: unknown): void {
  const file = new URL(`${name}.json`, dir);
  const actual = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_SNAPSHOTS === '1' || (!existsSync(file) && !process.env.CI)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  expect(existsSync(file), `snapshot ${name} is missing; run with UPDATE_SNAPSHOTS=1 and commit it`).to.equal(true);
  expect(actual, `snapshot ${name}`).to.equal(readFileSync(file, 'utf8'));
}
