package dev.parlance.tts.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A description as the decoder reads it, kept in the description cache: E (1,S,H) in its own
 * manager, and its token mask. Closing it frees the tensor.
 *
 * @param states E: the T5 output after {@code enc_to_dec_proj}, padded rows zeroed
 * @param mask (1,S) 1 = token
 * @param manager owns {@code states}
 */
record EncodedDescription(NDArray states, long[][] mask, NDManager manager)
    implements AutoCloseable {

  /** Native bytes held. */
  long bytes() {
    return states.size() * states.getDataType().getNumOfBytes();
  }

  @Override
  public void close() {
    manager.close();
  }
}
