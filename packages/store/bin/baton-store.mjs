#!/usr/bin/env node
// baton-store repair <data-dir>: keeps every commit before the first damaged log record and sets the
// rest aside in *.damaged files (see docs/reliability.md). The store must not be open.
import { repairDurableLog } from '@baton-ecs/store';

const [command, dir] = process.argv.slice(2);
if (command !== 'repair' || !dir) {
  process.stderr.write('usage: baton-store repair <data-dir>\n');
  process.exit(2);
}
const report = await repairDurableLog(dir);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
if (report.segment === undefined) process.stderr.write(`nothing to repair in ${dir}\n`);
