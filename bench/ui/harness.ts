/**
 * The measuring half of bench:ui, identical for both builders: time from an action (a mount, a
 * keystroke, a click) to the next frame painted after it (a requestAnimationFrame callback, then a
 * task: the frame has been produced).
 */
export interface Builder {
  mount(n: number, view: 'visual' | 'text'): Element;
  valueInput(el: Element, n: number): HTMLElement;
  addButton(el: Element): HTMLElement;
  textArea(el: Element): HTMLElement | null;
  count(el: Element): number;
  options(el: Element): number;
  /** Resolves when the builder has no work left from the last input (views caught up). */
  idle(el: Element): Promise<unknown>;
}

declare global {
  interface Window {
    harness: ReturnType<typeof makeHarness>;
  }
}

function nextPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

function makeHarness(builder: Builder) {
  let el: Element | undefined;
  const samples: number[] = [];
  const settled: number[] = [];
  // Keystrokes and clicks arrive from the driver as real input events: time from their first sight
  // to the next frame, and to the first frame after the builder's work for it is all done.
  for (const type of ['keydown', 'pointerdown']) {
    document.addEventListener(
      type,
      () => {
        const t0 = performance.now();
        void nextPaint().then(async () => {
          samples.push(performance.now() - t0);
          await builder.idle(el!);
          await nextPaint();
          settled.push(performance.now() - t0);
        });
      },
      { capture: true },
    );
  }
  return {
    async mount(n: number, view: 'visual' | 'text' = 'visual') {
      document.querySelector('#root')!.replaceChildren();
      await nextPaint();
      const start = performance.now();
      el = builder.mount(n, view);
      await nextPaint();
      return { ms: performance.now() - start, elements: builder.count(el), options: builder.options(el) };
    },
    focusValue(n: number) {
      const input = builder.valueInput(el!, n) as HTMLInputElement;
      input.focus();
      input.setSelectionRange?.(input.value.length, input.value.length);
    },
    focusText() {
      const area = builder.textArea(el!) as HTMLTextAreaElement;
      area.focus();
      area.setSelectionRange(area.value.length, area.value.length);
    },
    addSelector() {
      const button = builder.addButton(el!);
      button.setAttribute('data-bench-add', '');
      return true;
    },
    async settle() {
      await nextPaint();
      if (el) await builder.idle(el);
      await nextPaint();
      await nextPaint();
    },
    takeSamples() {
      return samples.splice(0);
    },
    takeSettled() {
      return settled.splice(0);
    },
  };
}

export function exposeHarness(builder: Builder): void {
  window.harness = makeHarness(builder);
}
