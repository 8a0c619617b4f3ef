/**
 * The alert-rule form: create or edit a rule (threshold, rate of change, device offline, no data),
 * checked by ruleFromForm first and by Urbis second (its 400 detail is shown).
 */
import { ApiError, type ApiClient } from '../api/client.js';
import { createRule, replaceRule, SEVERITIES, type AlertRule } from '../api/alerts.js';
import {
  CONDITION_KINDS,
  DIRECTIONS,
  formFromRule,
  OPS,
  ruleFromForm,
  type RuleFormValues,
} from '../lib/rule-doc.js';
import { vocabulary } from '../lib/vocabulary.js';
import { announce, h, uid } from '../ui/dom.js';

type Field = HTMLInputElement | HTMLSelectElement;

export class RuleForm {
  readonly el: HTMLFormElement;
  private readonly fields = new Map<keyof RuleFormValues, Field>();
  private editing = false;
  private readonly errors = h('ul', { class: 'error', role: 'alert' });
  private readonly heading = h('h2', {}, 'New rule');

  constructor(
    private readonly api: ApiClient,
    private readonly saved: () => void,
  ) {
    const row = (key: keyof RuleFormValues, label: string, control: Field, hint?: string) => {
      control.id = uid(`rule-${key}`);
      control.name = key;
      this.fields.set(key, control);
      return h(
        'div',
        { class: 'field', 'data-field': key },
        h('label', { for: control.id }, label),
        control,
        hint ? h('small', { class: 'muted' }, hint) : null,
      );
    };
    const select = (values: readonly string[]) =>
      h('select', {}, ...values.map((v) => h('option', { value: v }, v)));
    const input = (placeholder = '') => h('input', { type: 'text', placeholder, autocomplete: 'off' });
    const enabled = h('input', { type: 'checkbox', checked: true });
    const kind = select(CONDITION_KINDS);
    kind.addEventListener('change', () => this.showKind());
    this.el = h(
      'form',
      { class: 'rule-form', 'aria-labelledby': 'rule-form-title' },
      this.heading,
      row('id', 'Id', input('pm25-high')),
      row('name', 'Name', input('PM2.5 above 35 µg/m³ for 1 h')),
      row('severity', 'Severity', select(SEVERITIES)),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Scope (at least one)'),
        row('scopeType', 'Entity type', input('AirQualityObserved')),
        row('scopeDistrict', 'District', input('urn:ngsi-ld:District:…')),
        row('scopeEntity', 'Entity', input('urn:ngsi-ld:…')),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Condition'),
        row('kind', 'Kind', kind),
        row('attribute', 'Attribute', input('pm25')),
        row('op', 'Operator', select(OPS)),
        row('value', 'Value', input('35')),
        row('for', 'For (duration)', input('PT1H'), 'ISO 8601, e.g. PT1H, PT30M'),
        row('clear', 'Clear at (hysteresis)', input('30')),
        row('change', 'Change', input('20')),
        row('within', 'Within (duration)', input('PT10M')),
        row('direction', 'Direction', select(DIRECTIONS)),
      ),
      row('notify', 'Notify endpoint (optional)', input('https://… or mqtt://…')),
      row('enabled', 'Enabled', enabled),
      this.errors,
      h(
        'div',
        { class: 'row' },
        h('button', { type: 'submit' }, 'Save rule'),
        h('button', { type: 'button', onclick: () => this.reset() }, 'New'),
      ),
    );
    this.heading.id = 'rule-form-title';
    (this.fields.get('severity') as HTMLSelectElement).value = 'medium';
    this.showKind();
    this.el.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit();
    });
  }

  /** Which condition fields apply to the chosen kind. */
  private showKind(): void {
    const kind = this.fields.get('kind')?.value;
    const shown: Record<string, Array<keyof RuleFormValues>> = {
      threshold: ['attribute', 'op', 'value', 'for', 'clear'],
      rateOfChange: ['attribute', 'change', 'within', 'direction'],
      deviceOffline: [],
      noData: ['for'],
    };
    for (const key of [
      'attribute',
      'op',
      'value',
      'for',
      'clear',
      'change',
      'within',
      'direction',
    ] as const) {
      const wrap = this.el.querySelector<HTMLElement>(`[data-field="${key}"]`);
      if (wrap !== null) wrap.hidden = !(shown[kind ?? ''] ?? []).includes(key);
    }
  }

  private values(): RuleFormValues {
    const v = (k: keyof RuleFormValues) => this.fields.get(k)?.value ?? '';
    return {
      id: v('id'),
      name: v('name'),
      severity: v('severity'),
      scopeType: v('scopeType'),
      scopeDistrict: v('scopeDistrict'),
      scopeEntity: v('scopeEntity'),
      kind: v('kind'),
      attribute: v('attribute'),
      op: v('op'),
      value: v('value'),
      for: v('for'),
      clear: v('clear'),
      change: v('change'),
      within: v('within'),
      direction: v('direction'),
      notify: v('notify'),
      enabled: (this.fields.get('enabled') as HTMLInputElement).checked,
    };
  }

  edit(rule: AlertRule): void {
    const values = formFromRule(rule as unknown as Record<string, unknown>, (t) => vocabulary.short(t));
    for (const [k, f] of this.fields) {
      if (k === 'enabled') (f as HTMLInputElement).checked = values.enabled;
      else f.value = String(values[k]);
    }
    (this.fields.get('id') as HTMLInputElement).readOnly = true;
    this.editing = true;
    this.heading.textContent = `Edit rule ${rule.id}`;
    this.showKind();
    this.fields.get('name')?.focus();
  }

  reset(): void {
    this.el.reset();
    (this.fields.get('id') as HTMLInputElement).readOnly = false;
    (this.fields.get('severity') as HTMLSelectElement).value = 'medium';
    this.editing = false;
    this.heading.textContent = 'New rule';
    this.errors.replaceChildren();
    this.showKind();
  }

  private async submit(): Promise<void> {
    const result = ruleFromForm(this.values(), (n, type) => vocabulary.full(n, type));
    if (!result.ok) {
      this.errors.replaceChildren(...result.errors.map((e) => h('li', {}, e)));
      return;
    }
    this.errors.replaceChildren();
    const rule = result.rule as unknown as AlertRule;
    try {
      await (this.editing ? replaceRule(this.api, rule) : createRule(this.api, rule));
      announce(`Rule ${rule.id} saved`);
      this.reset();
      this.saved();
    } catch (e) {
      this.errors.replaceChildren(
        h('li', {}, e instanceof ApiError ? `Refused by Urbis: ${e.message}` : (e as Error).message),
      );
    }
  }
}
