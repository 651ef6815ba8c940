package dev.parlance.tts.core.checkpoint;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Compares a checkpoint's tensor names with what a model reads, so a wrong or partial checkpoint
 * fails at load with every missing and every unexpected name listed, never with silent defaults.
 */
public final class CheckpointNames {
  private CheckpointNames() {}

  /**
   * @param required names that must be present
   * @param accepted names that may be present (required ones are accepted too)
   * @param checkedElsewhere names another loader checks (e.g. the DAC under its prefix)
   * @throws CheckpointException listing missing and unexpected names
   */
  public static void verify(
      TensorSource source,
      Collection<String> required,
      Predicate<String> accepted,
      Predicate<String> checkedElsewhere) {
    Set<String> missing = new TreeSet<>();
    for (String name : required) {
      if (!source.contains(name)) {
        missing.add(name);
      }
    }
    Set<String> requiredSet = Set.copyOf(required);
    Set<String> unexpected = new TreeSet<>();
    for (String name : source.names()) {
      if (!requiredSet.contains(name) && !accepted.test(name) && !checkedElsewhere.test(name)) {
        unexpected.add(name);
      }
    }
    if (!missing.isEmpty() || !unexpected.isEmpty()) {
      StringBuilder m = new StringBuilder("checkpoint does not match the model:");
      if (!missing.isEmpty()) {
        m.append(" missing ").append(missing.size()).append(" tensor(s) ").append(list(missing));
      }
      if (!unexpected.isEmpty()) {
        m.append(missing.isEmpty() ? "" : ";")
            .append(" unexpected ")
            .append(unexpected.size())
            .append(" tensor(s) ")
            .append(list(unexpected));
      }
      throw new CheckpointException(m.toString());
    }
  }

  private static String list(Set<String> names) {
    List<String> all = List.copyOf(names);
    return all.size() <= 200
        ? all.toString()
        : all.subList(0, 200) + " ... and " + (all.size() - 200) + " more";
  }
}
