/**
 * Weight matrices in the precision the decoder reads them in: float32/float16 as DJL arrays, and
 * bfloat16 or int8 through a small TorchScript module, because DJL's JNI cannot hold either dtype.
 */
package dev.parlance.tts.core.kernel;
