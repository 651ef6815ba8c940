package dev.parlance.tts.core.model.dac;

import java.util.List;

/**
 * How a checkpoint names and stores the DAC weights (spec §1.4). Detected from key names by {@link
 * DacDecoder#load}.
 */
public enum DacLayout {
  /**
   * descript {@code dac} module names, old-style weight norm: {@code X.weight_g}, {@code
   * X.weight_v}.
   */
  WEIGHT_NORM(false, "weight_g", "weight_v"),
  /**
   * descript names, torch >= 2.1 weight norm: {@code X.parametrizations.weight.original0} (g) and
   * {@code original1} (v).
   */
  PARAMETRIZATIONS(false, "parametrizations.weight.original0", "parametrizations.weight.original1"),
  /** descript names with the weight norm already folded into {@code X.weight}. */
  FOLDED(false, null, "weight"),
  /** transformers {@code DacModel} names ({@code decoder.block.N.res_unitR...}), folded weights. */
  TRANSFORMERS(true, null, "weight");

  private final boolean transformersNames;
  private final String gainSuffix;
  private final String directionSuffix;

  DacLayout(boolean transformersNames, String gainSuffix, String directionSuffix) {
    this.transformersNames = transformersNames;
    this.gainSuffix = gainSuffix;
    this.directionSuffix = directionSuffix;
  }

  boolean transformersNames() {
    return transformersNames;
  }

  /** Whether conv weights are stored as weight-norm pairs (g, v) that must be folded. */
  boolean weightNormed() {
    return gainSuffix != null;
  }

  /** Key of the tensor that has the conv weight's shape: v, or the folded weight. */
  String weightKey(String module) {
    return module + "." + directionSuffix;
  }

  /** Key of the weight-norm gain g; only when {@link #weightNormed()}. */
  String gainKey(String module) {
    return module + "." + gainSuffix;
  }

  /** Every key a conv module with bias has in this layout. */
  List<String> convKeys(String module) {
    return weightNormed()
        ? List.of(gainKey(module), weightKey(module), module + ".bias")
        : List.of(weightKey(module), module + ".bias");
  }
}
