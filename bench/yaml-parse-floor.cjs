// The floor of lint mode: read every YAML file of the folders given, one file at a time, as lint
// reads them (YAML 1.1 documents, toJS), and keep nothing. `npm run bench` compares `validate`
// on the same folders against it.
const { readdirSync, readFileSync, statSync } = require('node:fs');
const { extname, join } = require('node:path');
const { LineCounter, parseAllDocuments } = require('yaml');

function* files(path) {
  if (!statSync(path).isDirectory()) return yield path;
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = join(path, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else if (['.yaml', '.yml'].includes(extname(entry.name))) yield full;
  }
}

let objects = 0;
for (const path of process.argv.slice(2)) {
  for (const file of files(path)) {
    const lineCounter = new LineCounter();
    for (const document of parseAllDocuments(readFileSync(file, 'utf8'), { lineCounter, version: '1.1' })) {
      if (document.errors.length === 0 && document.toJS({ maxAliasCount: 100 }) != null) objects++;
    }
  }
}
console.log(objects);
