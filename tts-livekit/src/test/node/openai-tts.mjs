// TEST ONLY. LiveKit's own OpenAI TTS plugin, pointed at a Parlance server with every other option
// left at its default (tts-1, alloy, pcm at 24 kHz). Writes what the plugin emitted as JSON.
// env: TTS_API_URL (base URL ending in /v1), TEXT, OUT_FILE
import { initializeLogger } from '@livekit/agents';
import * as openai from '@livekit/agents-plugin-openai';
import { writeFileSync } from 'node:fs';

initializeLogger({ pretty: false, level: 'warn' });

const tts = new openai.TTS({ baseURL: process.env.TTS_API_URL, apiKey: 'unused' });
const metrics = [];
const errors = [];
tts.on('metrics_collected', (m) => metrics.push(m));
tts.on('error', (e) => errors.push(String(e.error)));

const frames = [];
const pcm = [];
const stream = tts.synthesize(process.env.TEXT);
for await (const audio of stream) {
  const f = audio.frame;
  frames.push({
    sampleRate: f.sampleRate,
    channels: f.channels,
    samplesPerChannel: f.samplesPerChannel,
    final: audio.final,
    requestId: audio.requestId,
    segmentId: audio.segmentId,
  });
  pcm.push(Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength));
}
await new Promise((resolve) => setTimeout(resolve, 100)); // metrics are emitted after the last frame
await tts.close();

writeFileSync(
  process.env.OUT_FILE,
  JSON.stringify({
    ttsSampleRate: tts.sampleRate,
    ttsChannels: tts.numChannels,
    model: tts.model,
    frames,
    pcm: Buffer.concat(pcm).toString('base64'),
    metrics,
    errors,
  }),
);
