'use strict';
// Preloaded with `node --require`: when the process exits, writes the files of every module
// it loaded to the file named by REPORT_MODULES, for test/modules-loaded.test.ts.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  writeFileSync(process.env.REPORT_MODULES, JSON.stringify(Object.keys(require.cache)));
});
