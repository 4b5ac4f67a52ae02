// The list of what the dashboard view draws (capabilities.json), which `argus dashboards
// check` reads, must say what the view's code does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { UNIT_IDS } from '../src/lib/dash/units.js';

const caps = JSON.parse(readFileSync(new URL('../src/lib/dash/capabilities.json', import.meta.url), 'utf8'));
const page = readFileSync(new URL('../src/pages/dashboard.js', import.meta.url), 'utf8');

test('the units listed are the units formatted', () => {
  assert.deepEqual(caps.units, UNIT_IDS);
});

test('every panel type listed is drawn by the dashboard page', () => {
  for (const type of caps.panels.filter((t) => t !== 'row')) {
    assert.ok(page.includes(`p.type === '${type}'`), `dashboard.js draws no ${type} panel`);
  }
});
