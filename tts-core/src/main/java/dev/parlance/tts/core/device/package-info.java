/**
 * Device selection ({@code auto}, {@code cpu}, {@code cuda}, {@code cuda:N}) and the per-device
 * dtype policy, with a replaceable GPU probe.
 */
package dev.parlance.tts.core.device;
