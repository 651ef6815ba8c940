// A stock LiveKit Node agent whose TTS is Parlance, through LiveKit's own OpenAI plugin.
// The plugin's defaults are kept (model "tts-1", voice "alloy"; it always asks for
// response_format "pcm", 24 kHz mono); only the base URL points at the Parlance TTS server.
import { cli, defineAgent, voice, WorkerOptions } from '@livekit/agents';
import * as openai from '@livekit/agents-plugin-openai';
import { fileURLToPath } from 'node:url';

export function parlanceTts() {
  return new openai.TTS({
    baseURL: process.env.TTS_API_URL, // e.g. http://tts:8001/v1
    apiKey: process.env.TTS_API_KEY ?? 'unused',
  });
}

export default defineAgent({
  entry: async (ctx) => {
    await ctx.connect();
    const session = new voice.AgentSession({ tts: parlanceTts() }); // add stt, llm, vad as usual
    await session.start({
      agent: new voice.Agent({ instructions: 'You are a helpful voice assistant.' }),
      room: ctx.room,
    });
    session.say('Hello! This voice comes from a self-hosted Parler model.');
  },
});

cli.runApp(
  new WorkerOptions({
    agent: fileURLToPath(import.meta.url),
    agentName: process.env.AGENT_NAME ?? 'parlance-voice',
  }),
);
