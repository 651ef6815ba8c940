"""A stock LiveKit voice agent whose TTS is Parlance, through LiveKit's own OpenAI plugin.

The agent container talks to the Parlance TTS server at TTS_API_URL (its OpenAI-compatible
/v1/audio/speech endpoint). Nothing here is Parlance-specific except the base URL: the plugin's
request is model "tts-1", voice "alloy", response_format "pcm" (24 kHz mono s16le), which the
Parlance server maps to its engine and default voice.
"""

import os

from livekit.agents import Agent, AgentSession, JobContext, WorkerOptions, cli
from livekit.plugins import openai

TTS_API_URL = os.environ["TTS_API_URL"]  # e.g. http://tts:8001/v1


def parlance_tts() -> openai.TTS:
    return openai.TTS(
        base_url=TTS_API_URL,
        api_key=os.environ.get("TTS_API_KEY", "unused"),  # sent as a bearer token
        model="tts-1",
        voice="alloy",
        response_format="pcm",
    )


async def entrypoint(ctx: JobContext) -> None:
    await ctx.connect()
    session = AgentSession(
        # stt, llm and vad as usual for your deployment; only tts is Parlance
        tts=parlance_tts(),
    )
    await session.start(
        agent=Agent(instructions="You are a helpful voice assistant."), room=ctx.room
    )
    await session.say("Hello! This voice comes from a self-hosted Parler model.")


if __name__ == "__main__":
    cli.run_app(
        WorkerOptions(
            entrypoint_fnc=entrypoint,
            agent_name=os.environ.get("AGENT_NAME", "parlance-voice"),
        )
    )
