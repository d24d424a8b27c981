// Preloaded with `node --import`: any attempt to reach the network fails loudly.
import net from 'node:net';

const refuse = (what) => {
  throw new Error(`network access attempted (${what}) in a run that must stay offline`);
};
globalThis.fetch = (input) => refuse(`fetch ${String(input instanceof Request ? input.url : input)}`);
net.Socket.prototype.connect = function connect() {
  refuse('socket connect');
};

// Lets a test prove which processes ran offline (NODE_OPTIONS reaches every child of `npm run`).
if (process.env.SOVROUTE_OFFLINE_REPORT) process.stderr.write(`offline: ${process.argv.slice(1).join(' ')}\n`);
