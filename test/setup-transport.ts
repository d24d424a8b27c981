import { setDefaultTransport } from '../src/transport/upstream-transport.js';

/*
 * Runs before every test file. `SOVROUTE_TEST_TRANSPORT=fetch npx vitest run` runs the whole suite
 * with fetch as the adapters' default transport instead of the native one, to prove both behave
 * the same. Only the test suite reads this variable; the library never reads the environment for
 * its transport. Tests of the built package (dist) keep the default.
 */
const forced = process.env.SOVROUTE_TEST_TRANSPORT;
if (forced === 'fetch' || forced === 'native') setDefaultTransport(forced);
else if (forced !== undefined && forced !== '') throw new Error(`SOVROUTE_TEST_TRANSPORT must be fetch or native, not ${forced}`);
