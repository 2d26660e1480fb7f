package dev.r1.contracts;

/**
 * A message record was built with a value its contract forbids: a missing id, a negative step,
 * arrays of different lengths, a schema version below 1...
 *
 * <p>Thrown by the compact constructors of every record in this package, so a producer cannot build
 * (and therefore cannot send) an invalid message. On the consuming side {@link MessageDeserializer}
 * turns it into a {@link PoisonMessageException} naming the same field.
 */
public class ContractViolationException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String recordType;
  private final String field;

  /**
   * @param recordType simple name of the record being built, e.g. {@code PromptTask}
   * @param field the record component at fault, e.g. {@code jobId}
   * @param problem what is wrong with it, e.g. {@code must not be blank}
   */
  public ContractViolationException(String recordType, String field, String problem) {
    super(recordType + "." + field + " " + problem);
    this.recordType = recordType;
    this.field = field;
  }

  /** Simple name of the record type whose construction failed. */
  public String recordType() {
    return recordType;
  }

  /** The record component at fault. */
  public String field() {
    return field;
  }
}
