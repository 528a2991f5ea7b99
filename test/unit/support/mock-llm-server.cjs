// Starts @dwmkerr/mock-llm, a third-party OpenAI-compatible mock server from npm, on 127.0.0.1
// with the rules file given, on an ephemeral port, and prints `PORT <n>`. Its own bin listens on
// $PORT and prints that variable back, so with PORT=0 it cannot say which port it got: this
// wrapper calls the same createServer/loadConfig the bin does.
const { createServer } = require('@dwmkerr/mock-llm/dist/server.js');
const { loadConfig } = require('@dwmkerr/mock-llm/dist/config.js');

const app = createServer(loadConfig(process.argv[2]), '127.0.0.1', 0);
const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
