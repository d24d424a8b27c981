import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
const r = await build({ stdin: { contents: `import { createRouter, openaiCompatible } from './src/index.ts'; console.log(createRouter, openaiCompatible);`, resolveDir: '.', loader: 'ts' }, bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, metafile: true, external: ['node:*','zod','@opentelemetry/api'], logLevel: 'silent' });
console.log(r.outputFiles[0].contents.length, gzipSync(r.outputFiles[0].contents).length);
const inputs = Object.entries(Object.values(r.metafile.outputs)[0].inputs);
const dirs = {};
for (const [f,v] of inputs) { const d = f.startsWith('src/') ? f.split('/').slice(0,f.split('/').length>3?3:2).join('/') : f.replace(/node_modules\/([^/]+).*/, 'nm/$1'); dirs[d]=(dirs[d]??0)+v.bytesInOutput; }
console.log(Object.entries(dirs).sort((a,b)=>b[1]-a[1]).map(([a,b])=>`${b}\t${a}`).join('\n'));
console.log('----');
console.log(inputs.sort((a,b)=>b[1].bytesInOutput-a[1].bytesInOutput).slice(0,60).map(([a,b])=>`${b.bytesInOutput}\t${a}`).join('\n'));
