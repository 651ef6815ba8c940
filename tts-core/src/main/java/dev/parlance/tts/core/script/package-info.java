/**
 * PyTorch ops DJL has no binding for, reached through small stateless TorchScript modules compiled
 * from source at run time: no Python, no exported file.
 */
package dev.parlance.tts.core.script;
