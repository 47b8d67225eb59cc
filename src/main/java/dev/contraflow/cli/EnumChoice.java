package dev.contraflow.cli;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Enum-valued options read the way people type them: {@code --method simclr}, {@code moco_v3} and
 * {@code moco-v3} all name a constant (case does not matter, and {@code -} is {@code _}). A value
 * that names none is one line listing the choices, not picocli's usage page.
 */
final class EnumChoice {

  private EnumChoice() {}

  /**
   * Registers the lenient converter for every enum type that an option or parameter of
   * {@code root} or of any of its subcommands takes (alone or as the element of a collection).
   */
  static CommandLine install(CommandLine root) {
    Set<Class<?>> types = new HashSet<>();
    collect(root, types);
    for (Class<?> type : types) {
      register(root, type.asSubclass(Enum.class));
    }
    return root;
  }

  /** The constant of {@code type} that {@code value} names, in any case, with - for _. */
  static <E extends Enum<E>> E parse(Class<E> type, String value) {
    String wanted = canonical(value);
    for (E constant : type.getEnumConstants()) {
      if (canonical(constant.name()).equals(wanted)) {
        return constant;
      }
    }
    throw new CommandLine.TypeConversionException("'" + value + "' is not one of "
        + Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", "))
        + " (any case; - and _ are the same)");
  }

  private static String canonical(String name) {
    return name.trim().replace('-', '_').toUpperCase(Locale.ROOT);
  }

  private static <E extends Enum<E>> void register(CommandLine root, Class<E> type) {
    // registerConverter reaches every subcommand that exists when it is called
    root.registerConverter(type, value -> parse(type, value));
  }

  private static void collect(CommandLine command, Set<Class<?>> types) {
    CommandSpec spec = command.getCommandSpec();
    for (ArgSpec arg : spec.args()) {
      for (Class<?> type : arg.auxiliaryTypes()) {
        if (type.isEnum()) {
          types.add(type);
        }
      }
    }
    for (CommandLine sub : command.getSubcommands().values()) {
      collect(sub, types);
    }
  }
}
