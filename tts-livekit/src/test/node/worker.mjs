// TEST ONLY. The official Node agent worker, configured from the environment by the Java test.
import { AgentServer, ServerOptions, initializeLogger } from '@livekit/agents';
import { fileURLToPath } from 'node:url';

initializeLogger({ pretty: false, level: 'info' });

const server = new AgentServer(
  new ServerOptions({
    agent: fileURLToPath(new URL('./agent.mjs', import.meta.url)),
    agentName: process.env.AGENT_NAME,
    wsURL: process.env.LIVEKIT_URL,
    apiKey: process.env.LIVEKIT_API_KEY,
    apiSecret: process.env.LIVEKIT_API_SECRET,
    maxRetry: 3,
    host: '127.0.0.1', // the worker's health endpoint: loopback only
  }),
);
await server.run();
