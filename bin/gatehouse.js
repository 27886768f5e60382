#!/usr/bin/env node
'use strict';
// The operator CLI runs the compiled output (built by `npm ci` through the prepare script).
require('../dist/cli/main.js').main(process.argv).catch((err) => {
  process.stderr.write(`gatehouse: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(1);
});
