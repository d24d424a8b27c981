import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
const src = process.argv[2] === 'src';
const entry = src ? './src/index.ts' : './dist/index.js';
const r = await build({ stdin: { contents: `import { createRouter, openaiCompatible } from '${entry}'; console.log(createRouter, openaiCompatible);`, resolveDir: '.', loader: 'ts' }, bundle: true, minify: true, format: 'esm', platform: 'browser', splitting: true, outdir: '/tmp/bm/out', write: false, metafile: true, external: [...(process.env.EXT??'').split(',').filter(Boolean), 'node:*','crypto','os','path','fs'], logLevel: 'silent' });
const outs = r.metafile.outputs;
const files = new Map(r.outputFiles.map(f => [f.path.replace(/^.*\/tmp\/bm\/out\//, ''), f.contents]));
const key = k => k.replace(/^.*out\//,'');
const entryOut = Object.keys(outs).find(k => outs[k].entryPoint);
const seen = new Set(); const stack=[entryOut];
while (stack.length) { const k = stack.pop(); if (seen.has(k)) continue; seen.add(k); for (const i of outs[k].imports) if (i.kind==='import-statement' && !i.external) stack.push(i.path); }
let gz=0, min=0; for (const k of seen) { const c = files.get(key(k)); min+=c.length; gz+=gzipSync(c).length; }
console.log('initial', [...seen].map(key), min, gz);
for (const k of Object.keys(outs)) if (!seen.has(k)) console.log('lazy', key(k), files.get(key(k)).length, gzipSync(files.get(key(k))).length);
const dirs = {};
for (const k of seen) for (const [f,v] of Object.entries(outs[k].inputs)) { const d = f.replace(/node_modules\/(zod\/v4\/[^/]+|[^/]+).*/, 'nm/$1').replace(/^(src\/[^/]+(\/pseudo)?).*/,'$1'); dirs[d]=(dirs[d]??0)+v.bytesInOutput; }
console.log(Object.entries(dirs).sort((a,b)=>b[1]-a[1]).map(([a,b])=>`${b}\t${a}`).join('\n'));
