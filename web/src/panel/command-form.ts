/**
 * The form that sends a command: one field built from the profile's rule for the chosen command,
 * checked here first (range, type) and then by Urbis, whose 400 detail is shown as it is.
 */
import { ApiError, type ApiClient } from '../api/client.js';
import { sendCommand, type Command } from '../api/devices.js';
import { describeRule, parseCommandValue, type CommandField } from '../lib/command-rules.js';
import { unitSymbol } from '../lib/units.js';
import { announce, h, uid } from '../ui/dom.js';

export class CommandForm {
  readonly el: HTMLFormElement;
  private field: CommandField;

  constructor(
    private readonly api: ApiClient,
    private readonly deviceId: string,
    private readonly fields: CommandField[],
    private readonly onSent: (c: Command) => void,
  ) {
    this.field = fields[0] as CommandField;
    const nameId = uid('cmd-name');
    const valueId = uid('cmd-value');
    const hintId = uid('cmd-hint');
    const name = h(
      'select',
      { id: nameId, name: 'name' },
      ...fields.map((f) => h('option', { value: f.name }, f.name)),
    );
    const value = h('input', { id: valueId, name: 'value', 'aria-describedby': hintId, autocomplete: 'off' });
    const hint = h('p', { id: hintId, class: 'muted' });
    const error = h('p', { class: 'error', role: 'alert' });
    const submit = h('button', { type: 'submit' }, 'Send command');
    const describe = () => {
      const unit = this.field.rule.kind === 'number' ? unitSymbol(this.field.rule.unitCode) : '';
      hint.textContent = `Value: ${describeRule(this.field.rule, unit)}.`;
      value.inputMode = this.field.rule.kind === 'number' ? 'decimal' : 'text';
    };
    name.addEventListener('change', () => {
      this.field = this.fields.find((f) => f.name === name.value) ?? this.field;
      describe();
    });
    describe();
    this.el = h(
      'form',
      { class: 'command-form', 'aria-label': 'Send a command' },
      h('div', { class: 'row' }, h('label', { for: nameId }, 'Command'), name),
      h('div', { class: 'row' }, h('label', { for: valueId }, 'Value'), value),
      hint,
      error,
      submit,
    );
    this.el.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const parsed = parseCommandValue(this.field.rule, value.value);
      if (!parsed.ok) {
        error.textContent = `Not sent: ${parsed.error}.`;
        value.setAttribute('aria-invalid', 'true');
        value.focus();
        return;
      }
      value.removeAttribute('aria-invalid');
      error.textContent = '';
      submit.disabled = true;
      sendCommand(this.api, this.deviceId, { name: this.field.name, value: parsed.value, ttl: 'PT10M' })
        .then((c) => {
          announce(`Command ${c.name} ${c.status.toLowerCase()}`);
          this.onSent(c);
        })
        .catch((e: unknown) => {
          error.textContent =
            e instanceof ApiError ? `Refused by Urbis: ${e.message}` : `Not sent: ${(e as Error).message}`;
        })
        .finally(() => (submit.disabled = false));
    });
  }
}
