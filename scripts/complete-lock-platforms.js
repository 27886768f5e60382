#!/usr/bin/env node
// Usage: node scripts/complete-lock-platforms.js package-lock.json  (run after `npm install` on this machine)
// Adds lock entries for other platforms' optional binaries that this machine's registry mirror does not serve
// (npm leaves them out, and `npm ci` then calls the lock out of sync). os/cpu come from the package names.
const fs = require('fs');
const file = process.argv[2];
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const pk = lock.packages;
const OS = ['darwin', 'win32', 'linux', 'android', 'freebsd', 'openharmony'];
const CPU = [['arm64', 'arm64'], ['x64', 'x64'], ['ia32', 'ia32'], ['ppc64', 'ppc64'], ['s390x', 's390x'], ['loong64', 'loong64'], ['riscv64', 'riscv64'], ['arm', 'arm']];
let added = 0;
for (const [p, e] of Object.entries({ ...pk })) {
  for (const [name, version] of Object.entries(e.optionalDependencies || {})) {
    if (pk['node_modules/' + name]) continue;
    const parts = name.split('/').pop().split('-');
    const os = OS.find((o) => parts.includes(o));
    const cpu = CPU.find(([k]) => parts.includes(k));
    if (!os || !cpu) { console.error('cannot place', name); process.exit(1); }
    pk['node_modules/' + name] = { version, dev: e.dev || undefined, optional: true, os: [os], cpu: [cpu[1]] };
    added++;
  }
}
const sorted = {};
for (const k of Object.keys(pk).sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)))) sorted[k] = pk[k];
lock.packages = sorted;
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log('added', added);
