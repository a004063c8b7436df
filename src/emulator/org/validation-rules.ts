// Validation rules compiled to predicates over a record. One place decides what a rule that does not
// compile means: the seed that brings it is refused (as Salesforce refuses to save such a rule), and an org
// built another way fails the job that meets it. A rule is never skipped.
import { compileCondition } from '../soql/index.js';
import type { Row, SObjectType, ValidationRule } from './types.js';

/** A rule whose `errorWhen` does not compile; the message names the rule and the object. */
export class ValidationRuleError extends Error {
  constructor(
    readonly ruleName: string,
    readonly object: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`validation rule "${ruleName}" on ${object} does not compile: ${reason}`, options);
    this.name = 'ValidationRuleError';
  }
}

/** The SOQL engine's excerpt-and-caret message as one line: `unexpected token: '<EOF>' (column 2)`. */
function oneLine(message: string): string {
  const m = /ERROR at Row:\d+:Column:(\d+)\s+([\s\S]*)$/.exec(message);
  return m ? `${m[2].trim()} (column ${m[1]})` : message.trim();
}

/** Compiles a rule's condition over `type`'s fields; throws ValidationRuleError. */
export function compileValidationRule(type: SObjectType, rule: Pick<ValidationRule, 'name' | 'errorWhen'>): (row: Row) => boolean {
  try {
    return compileCondition(type, rule.errorWhen);
  } catch (e) {
    throw new ValidationRuleError(rule.name, type.name, oneLine(e instanceof Error ? e.message : String(e)), { cause: e });
  }
}
