// Interop check: the official `openai` npm client talking to a Parlance server.
// usage: node openai-speech.mjs BASE_URL API_KEY OUT_DIR  -> prints a JSON summary on stdout
import OpenAI from 'openai';
import { writeFileSync } from 'node:fs';

const [baseURL, apiKey, outDir] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 30_000 });
const summary = {};

// 1. Not streamed: the whole WAV, as most scripts use it.
const wav = await client.audio.speech.create({
  model: 'tts-1',
  voice: 'alloy',
  input: 'Hello from the official OpenAI client.',
  response_format: 'wav',
});
writeFileSync(`${outDir}/speech.wav`, Buffer.from(await wav.arrayBuffer()));
summary.wavContentType = wav.headers.get('content-type');

// 2. Streamed PCM, read chunk by chunk as LiveKit's OpenAI plugin does.
const pcm = await client.audio.speech.create({
  model: 'tts-1',
  voice: 'alloy',
  input: 'Streaming audio arrives in pieces while it is being made.',
  response_format: 'pcm',
  speed: 1,
});
const parts = [];
for await (const part of pcm.body) {
  parts.push(Buffer.from(part));
}
writeFileSync(`${outDir}/speech.pcm`, Buffer.concat(parts));
summary.pcmChunks = parts.length;

// 3. Server-sent events with instructions (the Parler description).
const sse = await client.audio.speech.create({
  model: 'gpt-4o-mini-tts',
  voice: 'nova',
  input: 'Events carry base64 audio.',
  instructions: 'A calm, low voice.',
  response_format: 'pcm',
  stream_format: 'sse',
});
const text = await sse.text();
const events = text
  .split('\n\n')
  .flatMap((frame) => frame.split('\n').filter((l) => l.startsWith('data: ')))
  .map((l) => JSON.parse(l.slice(6)));
const audio = Buffer.concat(
  events.filter((e) => e.type === 'speech.audio.delta').map((e) => Buffer.from(e.audio, 'base64')),
);
writeFileSync(`${outDir}/sse.pcm`, audio);
summary.sseEvents = events.map((e) => e.type);

// 4. Errors surface as the SDK's typed errors.
try {
  await client.audio.speech.create({ model: 'tts-1', voice: 'nobody', input: 'x' });
  summary.badVoice = 'no error';
} catch (e) {
  summary.badVoice = { status: e.status, param: e.param, type: e.type, name: e.constructor.name };
}
try {
  const other = new OpenAI({ baseURL, apiKey: 'wrong-key', maxRetries: 0 });
  await other.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'x' });
  summary.badKey = 'no error';
} catch (e) {
  summary.badKey = { status: e.status, name: e.constructor.name };
}

console.log(JSON.stringify(summary));
