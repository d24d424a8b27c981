import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createRouter } from '../src/index.js';
import { configJsonSchemaText } from '../src/node/config/config-json-schema.js';
import { ConfigError, loadConfig, loadGatewayConfig } from '../src/node/index.js';

const root = join(import.meta.dirname, '..');
const directory = mkdtempSync(join(tmpdir(), 'sovroute-config-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

async function failure(path: string, environment: NodeJS.ProcessEnv = {}): Promise<ConfigError> {
  const error = await loadConfig(path, environment).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('configuration files', () => {
  it('a secret of the wrong type (a number, a header given as a list) is named by its type, never quoted', async () => {
    const numeric = await failure(file('numeric-key.yaml', 'providers:\n  - preset: scaleway\n    apiKey: 48213395712039485\n'));
    expect(numeric.message).toMatch(/:3: providers\[0\]\.apiKey: .*expected string.*; got a number$/);
    expect(numeric.message).not.toContain('4821339571');
    const header = await failure(file('header-list.yaml', 'providers:\n  - preset: scaleway\n    headers:\n      Authorization: ["Bearer sk-live-abc"]\n'));
    expect(header.message).toMatch(/:4: providers\[0\]\.headers\.Authorization: .*; got a list$/);
    expect(header.message).not.toContain('sk-live-abc');
    const key = await failure(file('key-number.yaml', 'providers:\n  - preset: scaleway\nkeys:\n  - key: 99887766554433\n'));
    expect(key.message).not.toContain('998877665544');
  });

  it('a JSON syntax error near a key names its line without quoting the text around it (the key), in the message or its cause', async () => {
    const path = file('unquoted-key.json', '{\n  "providers": [\n    { "preset": "scaleway",\n      "apiKey": sk-live-abcdef0123456789 }\n  ]\n}\n');
    const error = await failure(path);
    expect(error.message).toMatch(new RegExp(`^${path}:4: not valid JSON`));
    expect(inspect(error, { depth: 10 })).not.toContain('sk-live');
    const after = await failure(file('after-key.json', '{ "providers": [{ "preset": "scaleway", "apiKey": "sk-live-abcdef0123456789"; }] }\n'));
    expect(after.message).toMatch(/:1: not valid JSON/);
    expect(inspect(after, { depth: 10 })).not.toContain('456789');
  });

  it('a YAML tag it does not know (!env NAME) stops the start naming its line and ${NAME}, instead of sending the text NAME as the key', async () => {
    const path = file('tag.yaml', 'providers:\n  - preset: scaleway\n    apiKey: !env SCW_SECRET_KEY\n');
    const error = await failure(path, { SCW_SECRET_KEY: 'sk-from-env' });
    expect(error.message).toMatch(new RegExp(`^${path}:3: .*!env.*\\$\\{NAME\\}`));
  });

  it('an alias to no anchor (a value starting with *) or aliases that expand without end are a ConfigError with the line, never quoting the value', async () => {
    const path = file('alias.yaml', 'providers:\n  - preset: scaleway\n    apiKey: *kx81-secret-value\n');
    const error = await failure(path);
    expect(error.message).toMatch(new RegExp(`^${path}:3: `));
    expect(inspect(error, { depth: 10 })).not.toContain('kx81-secret-value');
    const laughs = file(
      'laughs.yaml',
      'providers:\n  - preset: scaleway\na: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n',
    );
    expect((await failure(laughs)).message).toMatch(new RegExp(`^${laughs}: .*alias`));
  });

  it('a list written as a mapping, or a key written as a list entry, is named by its type, never quoted with the keys it holds', async () => {
    const provider = await failure(file('providers-mapping.yaml', 'providers:\n  preset: scaleway\n  apiKey: sk-live-qz81provider\n'));
    expect(provider.message).toMatch(/:1: providers: .*expected array.*; got a mapping$/);
    const keys = await failure(file('keys-strings.yaml', 'providers:\n  - preset: scaleway\nkeys:\n  - sk-team-qz81caller\n'));
    expect(keys.message).toMatch(/:4: keys\[0\]: .*expected object.*; got a string$/);
    const sinks = await failure(file('sinks-mapping.yaml', 'providers:\n  - preset: scaleway\naudit:\n  sinks:\n    postgres: postgres://writer:qz81password@db.internal/app\n'));
    expect(sinks.message).toMatch(/audit\.sinks: .*; got a mapping$/);
    for (const error of [provider, keys, sinks]) expect(inspect(error, { depth: 10 })).not.toContain('qz81');
  });

  it('a JSON file saved with a UTF-8 byte order mark (as Windows editors do) loads like the same YAML file', async () => {
    const path = file('bom.json', '\uFEFF{ "providers": [{ "preset": "scaleway" }], "policy": "eu-sovereign" }\n');
    expect(await loadConfig(path, {})).toMatchObject({ policy: 'eu-sovereign' });
  });

  it('a postgres sink with a table name that cannot be used names the file, its line and the setting', async () => {
    const path = file('table.yaml', 'providers:\n  - preset: scaleway\naudit:\n  sinks:\n    - postgres: postgres://writer:s3cret@db.internal/app\n      table: audit-log\n');
    const error = await failure(path);
    expect(error.message).toMatch(new RegExp(`^${path}:5: audit\\.sinks\\[0\\]: postgresAudit: table "audit-log" must be a plain identifier`));
    expect(error.message).not.toContain('s3cret');
  });

  it('a key set twice names the key and both lines (a JSON file is not called YAML), instead of "Map keys must be unique"', async () => {
    const yaml = file('twice.yaml', 'providers:\n  - preset: scaleway\npolicy: eu-sovereign\nstrategy: cheapest\npolicy: global\n');
    expect((await failure(yaml)).message).toBe(`${yaml}:5: policy is set twice in the same mapping (first on line 3): keep one`);
    const json = file('twice.json', '{\n  "providers": [\n    { "preset": "scaleway", "apiKey": "${K}",\n      "apiKey": "${L}" }\n  ]\n}\n');
    expect((await failure(json)).message).toBe(`${json}:4: apiKey is set twice in the same mapping (first on line 3): keep one`);
  });

  it('a second YAML document (a second ---) is named as such, not with the parser\'s "please use YAML.parseAllDocuments()"', async () => {
    const path = file('two-documents.yaml', '---\nproviders:\n  - preset: scaleway\n---\npolicy: eu-sovereign\n');
    const error = await failure(path);
    expect(error.message).toBe(`${path}:4: the file holds a second YAML document here (after ---): a configuration is one document; remove this --- to keep its settings`);
  });

  it('an empty file (or one of comments only) says it holds no settings and what it needs, not "expected object, received null; got null"', async () => {
    for (const [name, text] of [['empty.yaml', ''], ['comments.yaml', '# to do: providers\n'], ['document-marker.yaml', '---\n']] as const) {
      const path = file(name, text);
      expect((await failure(path)).message).toBe(`${path}: the file holds no settings: a configuration needs at least providers, such as "providers: [{ preset: mistralEU }]"`);
    }
  });

  it('a YAML merge key (<<: *anchor) shares one entry\'s settings with another, the entry\'s own keys winning, instead of being refused as an unknown key <<', async () => {
    const path = file(
      'merge.yaml',
      'providers:\n  - openaiCompatible: &on-prem\n      id: on-prem-a\n      baseURL: http://127.0.0.1:9/v1\n      apiKey: ${ON_PREM_KEY_FOR_TEST}\n      models: [{ id: model-a }]\n' +
        '  - openaiCompatible:\n      <<: *on-prem\n      id: on-prem-b\n      models: [{ id: model-b }]\n',
    );
    const options = await loadConfig(path, { ON_PREM_KEY_FOR_TEST: 'sk-merged' });
    expect(options.providers.map((provider) => [provider.id, provider.models.map((offer) => offer.id)])).toEqual([
      ['on-prem-a', ['model-a']],
      ['on-prem-b', ['model-b']],
    ]);
  });

  it("an openaiCompatible entry's dialect rewrites what is sent: the token limit's field and renamed fields", async () => {
    const bodies: Record<string, unknown>[] = [];
    const upstream = createServer((request, response) => {
      let text = '';
      request.on('data', (part: Buffer) => (text += part.toString('utf8')));
      request.on('end', () => {
        bodies.push(JSON.parse(text) as Record<string, unknown>);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ id: 'c1', object: 'chat.completion', created: 1, model: 'model-a', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    try {
      const path = file(
        'dialect.yaml',
        `providers:\n  - openaiCompatible:\n      id: strict\n      baseURL: http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1\n      models: [{ id: model-a }]\n      dialect: { maxTokens: max_tokens, renames: { seed: random_seed } }\n`,
      );
      const router = createRouter(await loadConfig(path));
      await router.chat.completions.create({ model: 'model-a', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 30, seed: 4 });
      expect(bodies).toEqual([{ model: 'model-a', messages: [{ role: 'user', content: 'hi' }], max_tokens: 30, random_seed: 4 }]);
    } finally {
      upstream.close();
    }
  });

  it('a directory given as the configuration says it is one and names the file to give, not "unknown configuration format" or EISDIR', async () => {
    const folder = join(directory, 'deploy');
    const named = join(directory, 'settings.yaml');
    mkdirSync(folder);
    mkdirSync(named);
    expect((await failure(folder)).message).toBe(`${folder}: is a directory; give the configuration file's path, such as ${join(folder, 'sovroute.config.yaml')}`);
    expect((await failure(named)).message).toBe(`${named}: is a directory; give the configuration file's path, such as ${join(named, 'sovroute.config.yaml')}`);
  });

  it('a ${NAME} reference unquoted inside { } or [ ] says to quote it, not "Unexpected flow-map-start at node end"', async () => {
    for (const text of ['providers:\n  - { preset: scaleway, apiKey: ${K} }\n', 'providers:\n  - preset: scaleway\nserve: { port: ${PORT:-8787} }\n']) {
      const path = file('flow-reference.yaml', text);
      const line = text.split('\n').findIndex((row) => row.includes('${')) + 1;
      expect((await failure(path, { K: 'k' })).message).toBe(`${path}:${line}: not valid YAML: inside { } or [ ], quote a \${NAME} reference ('\${NAME}'), or YAML reads its braces as a mapping`);
    }
    const quoted = file('flow-quoted.yaml', "providers:\n  - { preset: scaleway, apiKey: '${K}' }\nserve: { port: '${PORT:-8787}' }\n");
    expect((await loadGatewayConfig(quoted, { K: 'k' })).serve.port).toBe(8787);
  });

  it('a typo names the file, its line and the key it meant', async () => {
    const path = file('typo.yaml', 'providers:\n  - preset: scaleway\npolcy: eu-sovereign\n');
    expect((await failure(path)).message).toBe(`${path}:3: unknown key polcy: did you mean policy?`);
  });

  it('an unknown preset names its line and the closest preset', async () => {
    const path = file('preset.yaml', 'providers:\n  - preset: scaleway\n  - preset: mistralEu\n');
    const error = await failure(path);
    expect(error.message).toMatch(new RegExp(`^${path}:3: providers\\[1\\]\\.preset: unknown preset "mistralEu": did you mean mistralEU\\? use one of mistral, mistralEU, `));
  });

  it('a provider with neither preset nor openaiCompatible says a provider needs one of them, not "unknown preset undefined"', async () => {
    const path = file('no-preset.yaml', 'providers:\n  - preset: scaleway\n  - type: openai-compatible\n    baseURL: http://127.0.0.1:9/v1\n');
    const error = await failure(path);
    expect(error.message).toMatch(
      new RegExp(`^${path}:3: providers\\[1\\]: a provider is "preset: <name>" \\(one of mistral, mistralEU, .*\\) or "openaiCompatible: \\{ id, baseURL, models, … \\}"; this one has neither \\(its keys: type, baseURL\\)`),
    );
    expect(error.message).not.toContain('undefined');
  });

  it('an openaiCompatible entry missing settings deep inside (a model price without output and currency) names them, not "this one has neither"', async () => {
    const path = file(
      'price-missing.yaml',
      'providers:\n  - openaiCompatible:\n      id: on-prem\n      baseURL: http://127.0.0.1:9/v1\n      models:\n        - id: m\n          price: { input: 1 }\n',
    );
    expect((await failure(path)).message).toBe(`${path}:7: providers[0].openaiCompatible.models[0].price: output is required (expected number)`);
  });

  it('a provider id used twice (the same preset twice without id) names its line at load, not "createRouter: … collides" with no file', async () => {
    const twice = file('same-id.yaml', 'providers:\n  - preset: scaleway\n  - preset: mistralEU\n  - preset: scaleway\n');
    expect((await failure(twice)).message).toBe(`${twice}:4: providers[2]: provider id "scaleway" is already used by providers[0] (line 2); give this one another id (id: scaleway-2)`);
  });

  it('a policy name createRouter would refuse (a provider\'s id, a strategy, a /) names its line at load, not "createRouter: …" with no file', async () => {
    const provider = file('policy-provider.yaml', 'providers:\n  - preset: scaleway\npolicy: scaleway\npolicies:\n  scaleway:\n    hosting: EU\n');
    expect((await failure(provider)).message).toBe(`${provider}:2: providers[0]: provider id "scaleway" collides with a jurisdiction; give the provider another id`);
    const slash = file('policy-slash.yaml', 'providers:\n  - preset: scaleway\npolicy: fr/only\npolicies:\n  fr/only:\n    hosting: [FR]\n');
    expect((await failure(slash)).message).toBe(`${slash}:5: policies.fr/only: custom policy name "fr/only" contains the model-string separator "/" in model strings; give the policy another name`);
    const label = file('same-label.yaml', 'providers:\n  - preset: scaleway\nkeys:\n  - key: test-a\n    label: team\n  - key: test-b\n    label: team\n    policy: eu-sovereign\n');
    expect((await failure(label)).message).toMatch(new RegExp(`^${label}:6: keys\\[1\\]: two keys have the label "team" but not the same policy`));
  });

  it('serve.host with a port or a scheme (127.0.0.1:8080, http://localhost) names its line and what to write, instead of "getaddrinfo ENOTFOUND" at start', async () => {
    for (const host of ['127.0.0.1:8080', 'http://localhost', 'localhost:8787']) {
      const path = file('host-port.yaml', `providers:\n  - preset: scaleway\nserve:\n  host: ${host}\n`);
      expect((await failure(path)).message).toBe(
        `${path}:4: serve.host: must be an interface's address or name alone, such as 127.0.0.1, 0.0.0.0, :: or localhost (no scheme; the port goes in port); got "${host}"`,
      );
    }
    const v6 = file('host-v6.yaml', 'providers:\n  - preset: scaleway\nserve:\n  host: "::1"\n');
    expect((await loadGatewayConfig(v6, {})).serve.host).toBe('::1');
  });

  it('a number or true/false written in quotes (port: "8080", allowAnonymous: "yes") says to write it without quotes', async () => {
    const port = file('quoted-port.yaml', 'providers:\n  - preset: scaleway\nserve:\n  port: "8080"\n');
    expect((await failure(port)).message).toBe(`${port}:4: serve.port: Invalid input: expected number, received string; got "8080": write 8080 without quotes`);
    const yes = file('quoted-yes.yaml', 'providers:\n  - preset: scaleway\nserve:\n  allowAnonymous: yes\n');
    expect((await failure(yes)).message).toBe(`${yes}:4: serve.allowAnonymous: Invalid input: expected boolean, received string; got "yes": write true or false, without quotes`);
  });

  it('an empty keys list, which would refuse every caller while the banner says "keys none (loopback only)", names its line and the two ways out; so does an empty providers list', async () => {
    const path = file('no-keys.yaml', 'providers:\n  - preset: scaleway\nkeys: []\n');
    expect((await failure(path)).message).toBe(
      `${path}:3: keys: the list is empty, so every caller would be refused: list at least one key, or remove keys to serve without them (on loopback only unless serve.allowAnonymous)`,
    );
    const providers = file('no-providers.yaml', 'providers: []\n');
    expect((await failure(providers)).message).toBe(`${providers}:1: providers: the list is empty: list at least one provider, such as "- preset: mistralEU"`);
  });

  it('a setting written with no value (strategy: and nothing after it) says so and what to do, not "unknown strategy null" or "received null"', async () => {
    const strategy = file('empty-strategy.yaml', 'providers:\n  - preset: scaleway\nstrategy:\nserve:\n  port: 8080\n');
    expect((await failure(strategy)).message).toBe(`${strategy}:3: strategy: has no value: give it one, or remove the line for the default`);
    const serve = file('empty-serve.yaml', 'providers:\n  - preset: scaleway\nserve:\n  # port: 8080\n');
    expect((await failure(serve)).message).toBe(`${serve}:3: serve: has no value: give it one, or remove the line for the default`);
    const preset = file('empty-preset.yaml', 'providers:\n  - preset:\n');
    expect((await failure(preset)).message).toBe(`${preset}:2: providers[0].preset: has no value: give it one`);
  });

  it('a bad country code names its line and the form it must take', async () => {
    const path = file('country.yaml', 'providers: [{ preset: scaleway }]\npolicy: acme\npolicies:\n  acme:\n    hosting: [FR, DEU]\n');
    expect((await failure(path)).message).toBe(`${path}:5: policies.acme.hosting[1]: must be an ISO 3166-1 alpha-2 country code in upper case, such as 'FR' or 'DE'; got "DEU"`);
  });

  it('a missing ${ENV} reference names the variable, its line and how to set it', async () => {
    const path = file('env.yaml', 'providers:\n  - preset: scaleway\n    apiKey: ${SCALEWAY_KEY_FOR_TEST}\n');
    expect((await failure(path)).message).toBe(
      `${path}:3: providers[0].apiKey: \${SCALEWAY_KEY_FOR_TEST} is not set: export SCALEWAY_KEY_FOR_TEST=… before starting, or give a default as \${SCALEWAY_KEY_FOR_TEST:-value}`,
    );
    // Set, it is used, and never needed inline.
    const options = await loadConfig(path, { SCALEWAY_KEY_FOR_TEST: 'secret' });
    expect(options.providers.map((provider) => provider.id)).toEqual(['scaleway']);
  });

  it('a reference in another form (${ NAME }, ${NAME:default}, $NAME, unclosed or nested) stops the start with the two forms read, instead of sending its text as the key', async () => {
    const environment = { SCW_KEY_FOR_TEST: 'sk-from-env', OTHER_FOR_TEST: 'x' };
    for (const [written, quoted] of [
      ['${ SCW_KEY_FOR_TEST }', '${ SCW_KEY_FOR_TEST }'],
      ['${SCW_KEY_FOR_TEST:default}', '${SCW_KEY_FOR_TEST:default}'],
      ['${SCW_KEY_FOR_TEST-default}', '${SCW_KEY_FOR_TEST-default}'],
      ['${scw.key}', '${scw.key}'],
      ['Bearer ${SCW_KEY_FOR_TEST', '${SCW_KEY_FOR_TEST'],
      ['${SCW_KEY_FOR_TEST:-${OTHER_FOR_TEST}}', '${SCW_KEY_FOR_TEST:-${OTHER_FOR_TEST}'],
      ['$SCW_KEY_FOR_TEST', '$SCW_KEY_FOR_TEST'],
    ]) {
      const path = file('malformed-reference.yaml', `providers:\n  - preset: scaleway\n    apiKey: '${written}'\n`);
      const error = await failure(path, environment);
      expect(error.message).toContain(`${path}:3: providers[0].apiKey: ${quoted} is not an environment reference`);
      expect(error.message).toContain('write ${NAME} or ${NAME:-default}');
    }
    // A dollar sign that starts no reference is text, as before.
    const plain = file('dollar.yaml', "providers:\n  - preset: scaleway\n    apiKey: 'pa$$word-5$'\n");
    expect((await loadConfig(plain, {})).providers).toHaveLength(1);
  });

  it('a variable that is set but empty is said to be empty, not "not set" (export SCW_KEY=$UNSET_ONE)', async () => {
    const path = file('env-empty.yaml', 'providers:\n  - preset: scaleway\n    apiKey: ${SCALEWAY_KEY_FOR_TEST}\n');
    expect((await failure(path, { SCALEWAY_KEY_FOR_TEST: '' })).message).toBe(
      `${path}:3: providers[0].apiKey: \${SCALEWAY_KEY_FOR_TEST} is set but empty: give it a value before starting, or a default as \${SCALEWAY_KEY_FOR_TEST:-value}`,
    );
  });

  it('reads a number or true/false from the environment where one ${ENV} reference is the whole value', async () => {
    const path = file(
      'env-typed.yaml',
      'providers:\n  - preset: scaleway\n    apiKey: ${KEY_FOR_TEST}\ntimeoutMs: ${TIMEOUT_FOR_TEST:-45000}\n' +
        `audit:\n  sinks:\n    - jsonl: ${join(directory, 'typed.jsonl')}\n      fsyncIntervalMs: \${FSYNC_MS_FOR_TEST}\n` +
        'serve:\n  port: ${PORT_FOR_TEST}\n  allowAnonymous: ${ANONYMOUS_FOR_TEST}\n',
    );
    const config = await loadGatewayConfig(path, { PORT_FOR_TEST: '8080', KEY_FOR_TEST: '12345', FSYNC_MS_FOR_TEST: '250', ANONYMOUS_FOR_TEST: 'true' });
    expect(config.serve).toMatchObject({ port: 8080, allowAnonymous: true });
    expect(config.router.timeoutMs).toBe(45_000);
    // Where the file wants text it keeps the text, digits or not: a key is never turned into a number.
    expect(config.router.providers).toHaveLength(1);
    // Text that is no number is still refused, naming the setting and what it wants.
    const wrong = await loadGatewayConfig(path, { PORT_FOR_TEST: 'eighty', KEY_FOR_TEST: 'k', FSYNC_MS_FOR_TEST: '250', ANONYMOUS_FOR_TEST: 'true' }).catch((error: unknown) => error);
    expect(wrong).toBeInstanceOf(ConfigError);
    expect((wrong as ConfigError).message).toMatch(/:10: serve\.port: .*expected number/);
    // Only a reference alone: text around it stays text, as the file wrote it.
    const mixed = file('env-mixed.yaml', 'providers:\n  - preset: scaleway\n    apiKey: k\nserve:\n  port: 80${PORT_FOR_TEST}\n');
    await expect(loadGatewayConfig(mixed, { PORT_FOR_TEST: '80' })).rejects.toBeInstanceOf(ConfigError);
  });

  it('an invalid URL written in the file is quoted without the user name and password it carries', async () => {
    const path = file(
      'url.yaml',
      'providers:\n  - openaiCompatible:\n      id: on-prem\n      baseURL: "https://gateway:s3cr3t pass@llm.internal:8443 /v1"\n      apiKey: none\n' +
        '      jurisdiction: { operator: { name: Example GmbH, country: DE, parents: [] }, hosting: [DE] }\n' +
        '      models: [{ id: m, price: { input: 0, output: 0, currency: EUR } }]\n',
    );
    const error = await failure(path);
    expect(error.message).toMatch(new RegExp(`^${path}:4: providers\\[0\\]\\.openaiCompatible\\.baseURL: Invalid URL; got "https://`));
    expect(error.message).toContain('llm.internal:8443 /v1');
    expect(error.message).not.toContain('s3cr3t');
    expect(error.message).not.toContain('gateway:');
    // Nor with a key in its query string: what follows ? or # is not quoted.
    const query = file('url-query.yaml', readFileSync(path, 'utf8').replace('"https://gateway:s3cr3t pass@llm.internal:8443 /v1"', '"https://llm.internal:8443 /v1?api_key=qz81-query-key#qz81-fragment"'));
    const queried = await failure(query);
    expect(queried.message).toMatch(/baseURL: Invalid URL; got "https:\/\/llm\.internal:8443 \/v1\?…"$/);
    expect(queried.message).not.toContain('qz81');
  });

  it('a value from ${ENV} that the file cannot use names the setting and the variable, never its value (a key put where a URL, a strategy or a port goes)', async () => {
    const provider =
      'providers:\n  - openaiCompatible:\n      id: on-prem\n      baseURL: ${ON_PREM_URL_FOR_TEST}\n      apiKey: none\n' +
      '      jurisdiction: { operator: { name: Example GmbH, country: DE, parents: [] }, hosting: [DE] }\n' +
      '      models: [{ id: m, price: { input: 0, output: 0, currency: EUR } }]\n';
    const cases = [
      // The variable holds the key, not the URL: the usual slip between two variables.
      { text: provider, environment: { ON_PREM_URL_FOR_TEST: 'sk-live-qz81url0123456789' }, expected: /:4: providers\[0\]\.openaiCompatible\.baseURL: Invalid URL; got "\$\{ON_PREM_URL_FOR_TEST\}" \(from the environment/ },
      { text: provider, environment: { ON_PREM_URL_FOR_TEST: 'https://gateway:qz81pass@llm internal/v1' }, expected: /baseURL: Invalid URL; got "\$\{ON_PREM_URL_FOR_TEST\}"/ },
      { text: 'providers:\n  - preset: scaleway\nstrategy: ${STRATEGY_FOR_TEST}\n', environment: { STRATEGY_FOR_TEST: 'qz81strategy-secret' }, expected: /:3: strategy: unknown strategy "\$\{STRATEGY_FOR_TEST\}" \(from the environment/ },
      { text: 'providers:\n  - preset: scaleway\npolicy: ${POLICY_FOR_TEST}\n', environment: { POLICY_FOR_TEST: 'qz81policy-secret' }, expected: /:3: policy: unknown policy "\$\{POLICY_FOR_TEST\}" \(from the environment/ },
      { text: 'providers:\n  - preset: scaleway\nserve:\n  port: ${PORT_FOR_TEST}\n', environment: { PORT_FOR_TEST: 'qz81port-secret' }, expected: /:4: serve\.port: .*expected number.*; got "\$\{PORT_FOR_TEST\}" \(from the environment/ },
      { text: 'providers:\n  - preset: scaleway\nserve:\n  host: "${HOST_FOR_TEST}:80"\n', environment: { HOST_FOR_TEST: 'qz81host-secret' }, expected: /:4: serve\.host: .*; got "\$\{HOST_FOR_TEST\}:80" \(from the environment/ },
    ];
    for (const { text, environment, expected } of cases) {
      const error = await failure(file('env-secret.yaml', text), environment);
      expect(error.message).toMatch(expected);
      expect(inspect(error, { depth: 10 })).not.toContain('qz81');
    }
  });

  it('a .mjs file reading process.env itself: a value the file cannot use that is a variable\'s value is named by the variable, never quoted', async () => {
    const path = file(
      'env-module.mjs',
      'export default {\n  providers: [{ openaiCompatible: { id: "on-prem", baseURL: process.env.ON_PREM_URL_FOR_TEST, apiKey: "none",\n' +
        '    jurisdiction: { operator: { name: "Example GmbH", country: "DE", parents: [] }, hosting: ["DE"] },\n' +
        '    models: [{ id: "m", price: { input: 0, output: 0, currency: "EUR" } }] } }],\n  strategy: process.env.STRATEGY_FOR_TEST,\n};\n',
    );
    vi.stubEnv('ON_PREM_URL_FOR_TEST', 'sk-live-qz81module0123456789');
    vi.stubEnv('STRATEGY_FOR_TEST', 'cheapest');
    try {
      const url = await failure(path, process.env);
      expect(url.message).toMatch(/providers\[0\]\.openaiCompatible\.baseURL: Invalid URL; got "\$\{ON_PREM_URL_FOR_TEST\}" \(from the environment/);
      expect(inspect(url, { depth: 10 })).not.toContain('qz81');
      vi.stubEnv('ON_PREM_URL_FOR_TEST', 'https://llm.internal/v1');
      vi.stubEnv('STRATEGY_FOR_TEST', 'qz81-strategy-secret');
      // Another file: a module is evaluated once, and this one read the variables before.
      const strategy = await failure(file('env-module-2.mjs', readFileSync(path, 'utf8')), process.env);
      expect(strategy.message).toMatch(/strategy: unknown strategy "\$\{STRATEGY_FOR_TEST\}" \(from the environment/);
      expect(inspect(strategy, { depth: 10 })).not.toContain('qz81');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('a YAML file writes its own values: one that happens to equal a variable (policy: production beside NODE_ENV=production) is quoted as written, not said to come from the environment', async () => {
    const environment = { NODE_ENV: 'production' };
    const policy = await failure(file('literal-policy.yaml', 'providers:\n  - preset: mistralEU\n    apiKey: k\npolicy: production\n'), environment);
    expect(policy.message).toMatch(/:4: policy: unknown policy production: /);
    expect(policy.message).not.toContain('NODE_ENV');
    // What a preset refuses keeps the file's own words too.
    const resource = await failure(file('literal-resource.yaml', 'providers:\n  - preset: azureOpenAI\n    apiKey: k\n    resource: production env\n'), { NODE_ENV: 'production env' });
    expect(resource.message).toMatch(/azureOpenAI: resource "production env" is not an Azure resource name/);
  });

  it('a value from ${ENV} that a preset refuses (an Azure resource, an Infomaniak product id) is named by its variable, in the message and its cause', async () => {
    const azure = await failure(file('azure-env.yaml', 'providers:\n  - preset: azureOpenAI\n    apiKey: k\n    resource: ${AZURE_RESOURCE_FOR_TEST}\n'), { AZURE_RESOURCE_FOR_TEST: 'qz81-azure key/secret' });
    expect(azure.message).toMatch(/:2: providers\[0\]: azureOpenAI: resource "\$\{AZURE_RESOURCE_FOR_TEST\}" is not an Azure resource name/);
    const infomaniak = await failure(file('infomaniak-env.yaml', 'providers:\n  - preset: infomaniak\n    apiKey: k\n    productId: "${PRODUCT_FOR_TEST}"\n'), { PRODUCT_FOR_TEST: 'qz81 product secret' });
    expect(infomaniak.message).toMatch(/:2: providers\[0\]: infomaniak: productId "\$\{PRODUCT_FOR_TEST\}" is not a product id/);
    for (const error of [azure, infomaniak]) expect(inspect(error, { depth: 10 })).not.toContain('qz81');
    // A .mjs file reading process.env itself: the same.
    vi.stubEnv('AZURE_RESOURCE_FOR_TEST', 'qz81-azure key/secret');
    try {
      const module = await failure(file('azure-env.mjs', 'export default { providers: [{ preset: "azureOpenAI", apiKey: "k", resource: process.env.AZURE_RESOURCE_FOR_TEST }] };\n'), process.env);
      expect(module.message).toMatch(/providers\[0\]: azureOpenAI: resource "\$\{AZURE_RESOURCE_FOR_TEST\}" is not an Azure resource name/);
      expect(inspect(module, { depth: 10 })).not.toContain('qz81');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('JSON errors carry lines too, and a policy name is checked against the declared ones', async () => {
    const path = file('keys.json', '{\n  "providers": [{ "preset": "scaleway" }],\n  "keys": [\n    { "key": "test-a", "policy": "eu-sovreign" }\n  ]\n}\n');
    expect((await failure(path)).message).toMatch(new RegExp(`^${path}:4: keys\\[0\\]\\.policy: unknown policy eu-sovreign: did you mean eu-sovereign\\?`));
    const broken = file('broken.json', '{\n  "providers": [,]\n}\n');
    expect((await failure(broken)).message).toMatch(new RegExp(`^${broken}:2: not valid JSON`));
  });

  it('YAML, JSON and .mjs files with the same content give the same router', async () => {
    const content = {
      providers: [{ preset: 'scaleway' }, { preset: 'mistralEU', apiKey: 'k' }],
      policy: 'strict-fr',
      policies: { 'strict-fr': { hosting: ['FR'], operator: ['FR'] } },
      keys: [{ key: 'test-fr', label: 'fr-team' }],
    };
    const yamlPath = file('same.yaml', `providers:\n  - preset: scaleway\n  - { preset: mistralEU, apiKey: k }\npolicy: strict-fr\npolicies:\n  strict-fr: { hosting: [FR], operator: [FR] }\nkeys:\n  - { key: test-fr, label: fr-team }\n`);
    const jsonPath = file('same.json', JSON.stringify(content));
    const mjsPath = file('same.mjs', `export default ${JSON.stringify(content)};\n`);
    // A .ts file loads through tsx (a dev dependency here, as in a TypeScript project).
    const tsPath = file('same.ts', `const config: { policy: string } & Record<string, unknown> = ${JSON.stringify(content)};\nexport default config;\n`);
    const request = { model: 'mistral-small-3.2-24b', messages: [{ role: 'user' as const, content: 'hi' }] };
    const explanations = [];
    for (const path of [yamlPath, jsonPath, mjsPath, tsPath]) {
      const router = createRouter(await loadConfig(path));
      explanations.push(router.explain(request, { apiKey: 'test-fr' }));
    }
    expect(explanations[0]!.policy).toBe('strict-fr');
    expect(explanations[1]).toEqual(explanations[0]);
    expect(explanations[2]).toEqual(explanations[0]);
    expect(explanations[3]).toEqual(explanations[0]);
  });

  it('a policy denying a preset keeps out the deployments the file builds from it under another id', async () => {
    const path = file(
      'renamed.yaml',
      'providers:\n  - { preset: openai, id: openai-prod, apiKey: k }\n  - { preset: azureOpenAI, resource: contoso-eu, apiKey: k }\npolicy: no-openai\npolicies:\n  no-openai:\n    providers: { deny: [openai] }\n',
    );
    const router = createRouter(await loadConfig(path));
    const { candidates } = router.explain({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(candidates.map(({ provider, eligible, reasons }) => ({ provider, eligible, reasons }))).toEqual([
      { provider: 'azure-openai', eligible: true, reasons: [] },
      { provider: 'openai-prod', eligible: false, reasons: ['provider openai-prod is built from preset openai, which is in the deny list of policy no-openai'] },
    ]);
  });

  it('a policy naming a preset by its factory name (mistralEU) is refused with the provider id to write, not one that would deny nothing', async () => {
    const path = file('factory-name.yaml', 'providers:\n  - { preset: mistralEU, apiKey: k }\n  - { preset: scaleway }\npolicy: no-mistral\npolicies:\n  no-mistral:\n    providers: { deny: [mistralEU] }\n');
    expect((await failure(path)).message).toBe(
      `${path}:6: policies.no-mistral: policy "no-mistral" names "mistralEU" in providers.deny, which is not a provider id (kebab-case: a-z, 0-9, -) and would never match one; use "mistral-eu"`,
    );
  });

  it('a policy naming a preset by a lower-case factory name (mistral, cloudferro) that is not its id is refused with the ids to write', async () => {
    // `deny: [mistral]` reads as "not Mistral AI", but the preset's id is mistral-ai: it would deny nothing.
    const mistral = file('factory-mistral.yaml', 'providers:\n  - { preset: mistral, apiKey: k }\n  - { preset: scaleway }\npolicy: no-mistral\npolicies:\n  no-mistral:\n    providers: { deny: [mistral] }\n');
    expect((await failure(mistral)).message).toBe(
      `${mistral}:6: policies.no-mistral: policy "no-mistral" names "mistral" in providers.deny, which no configured provider has as its id or preset, so it would match none; use "mistral-ai"`,
    );
    const cloudferro = file('factory-cloudferro.yaml', 'providers:\n  - { preset: cloudferro, apiKey: k }\npolicy: p\npolicies:\n  p:\n    providers: { allow: [cloudferro] }\n');
    expect((await failure(cloudferro)).message).toBe(
      `${cloudferro}:5: policies.p: policy "p" names "cloudferro" in providers.allow, which no configured provider has as its id or preset, so it would match none; use "cloudferro-sherlock"`,
    );
    // Camel case spelled in lower case still finds the id it stands for.
    const lowered = file('factory-lowered.yaml', 'providers:\n  - { preset: mistralEU, apiKey: k }\npolicy: p\npolicies:\n  p:\n    providers: { deny: [Mistral] }\n');
    expect((await failure(lowered)).message).toContain('names "Mistral" in providers.deny, which is not a provider id (kebab-case: a-z, 0-9, -) and would never match one; use "mistral-eu"');
    // An id no configured provider has, and that stands for none of them, is still taken as it is (a policy may be shared).
    const shared = file('shared-policy.yaml', 'providers:\n  - { preset: mistral, apiKey: k }\npolicy: p\npolicies:\n  p:\n    providers: { deny: [openai, mistral-ai] }\n');
    const sharedOptions = await loadConfig(shared);
    expect(() => createRouter(sharedOptions)).not.toThrow();
  });

  it('the example configuration loads, with its keys labelled and its serve settings apart', async () => {
    const config = await loadGatewayConfig(join(root, 'examples', 'sovroute.config.yaml'), {});
    expect(config.router.providers.map((provider) => provider.id)).toEqual(['mistral-eu', 'scaleway', 'ovhcloud', 'on-prem']);
    expect(config.keyLabels).toEqual(['local-test', 'team-a']);
    expect(config.serve).toMatchObject({ port: 8787, host: '127.0.0.1' });
    expect(Object.keys(config.router.keys ?? {})).toEqual(['test-local', 'test-team-a']);
  });
});

describe('the shipped JSON Schema', () => {
  const shipped = readFileSync(join(root, 'schema', 'sovroute.config.schema.json'), 'utf8');

  it('is generated from the zod schema (run `npm run schema` after changing it)', () => {
    expect(shipped).toBe(configJsonSchemaText());
  });

  it('accepts the example configuration and rejects a typo', () => {
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(shipped));
    const example = parse(readFileSync(join(root, 'examples', 'sovroute.config.yaml'), 'utf8'));
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...example, polcy: 'global' })).toBe(false);
  });

  it('accepts one ${ENV} reference alone where a number or true/false goes, as loading does, and nothing else there', () => {
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(shipped));
    const example = parse(readFileSync(join(root, 'examples', 'sovroute.config.yaml'), 'utf8')) as Record<string, unknown>;
    const serve = (settings: Record<string, unknown>) => ({ ...example, serve: { ...(example.serve as object), ...settings } });
    expect(validate(serve({ port: '${PORT}', allowAnonymous: '${ANONYMOUS:-false}' })), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(serve({ port: 'eighty' }))).toBe(false);
    expect(validate(serve({ port: '80${PORT}' }))).toBe(false);
  });

  it('accepts one ${ENV} reference alone where text must be one of some values, match a pattern or be a URL, as loading does', () => {
    // Editors check `format: uri` (a URI with a scheme), as this Ajv now does.
    const validate = new Ajv2020({ strict: false }).addFormat('uri', /^[a-z][a-z0-9+.-]*:/i).compile(JSON.parse(shipped));
    const example = parse(readFileSync(join(root, 'examples', 'sovroute.config.yaml'), 'utf8')) as { providers: Record<string, Record<string, unknown>>[] };
    const onPrem = { openaiCompatible: { ...example.providers[3]!.openaiCompatible, baseURL: '${ON_PREM_URL}' } };
    const referenced = { ...example, providers: [onPrem], strategy: '${STRATEGY:-balanced}', currency: '${CURRENCY}', policies: { local: { hosting: ['${HOSTING_COUNTRY}'] } } };
    expect(validate(referenced), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...referenced, strategy: 'fastest-ish' })).toBe(false);
    expect(validate({ ...referenced, currency: 'eur' })).toBe(false);
    expect(validate({ ...referenced, providers: [{ openaiCompatible: { ...onPrem.openaiCompatible, baseURL: 'llm.internal/v1' } }] })).toBe(false);
  });
});
