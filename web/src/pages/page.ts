/** A screen of the dashboard: mounted into the main element, unmounted when the route changes. */
export interface Page {
  readonly title: string;
  mount(root: HTMLElement): Promise<void> | void;
  unmount(): void;
}
