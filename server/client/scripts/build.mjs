// Writes the CommonJS copies of the ES modules in src/ to dist/ (for `require`), with their
// typings as .d.cts. The ES modules are the source; this only rewrites import/export syntax,
// and fails on any form it does not know rather than emitting a broken file.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
mkdirSync(new URL('dist/', root), { recursive: true });

function toCommonJs(source, file) {
  const names = [];
  let out = source
    .replace(/^import \{([^}]+)\} from '\.\/([\w-]+)\.js';$/gm, (_, what, mod) => `const {${what}} = require('./${mod}.cjs');`)
    .replace(/^import \{([^}]+)\} from '([\w@/-]+)';$/gm, (_, what, mod) => `const {${what}} = require('${mod}');`)
    .replace(/^export (class|function|const|async function) (\w+)/gm, (_, kind, name) => {
      names.push(name);
      return `${kind} ${name}`;
    })
    .replace(/^export \{([\w\s,]+)\};$/gm, (_, what) => {
      names.push(...what.split(',').map((n) => n.trim()));
      return '';
    });
  const left = out.match(/^\s*(import|export)\b.*$/m);
  if (left) throw new Error(`${file}: cannot convert "${left[0].trim()}"`);
  out = `'use strict';\n${out}\nmodule.exports = { ${names.join(', ')} };\n`;
  return out;
}

const modules = readdirSync(new URL('src/', root)).filter((f) => f.endsWith('.js'));
for (const file of modules) {
  const js = readFileSync(new URL(`src/${file}`, root), 'utf8');
  writeFileSync(new URL(`dist/${file.replace(/\.js$/, '.cjs')}`, root), toCommonJs(js, `src/${file}`));
}
// The typings of the two entry points, as CommonJS declarations.
for (const name of ['slipstream', 'react']) {
  const dts = readFileSync(new URL(`src/${name}.d.ts`, root), 'utf8').replace(
    /from '\.\/([\w-]+)\.js'/g,
    "from './$1.cjs'",
  );
  writeFileSync(new URL(`dist/${name}.d.cts`, root), dts);
}
