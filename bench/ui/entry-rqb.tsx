// bench:ui bundle size: react-querybuilder's QueryBuilder mounted, as a page would use it.
import { createRoot } from 'react-dom/client';
import { QueryBuilder } from 'react-querybuilder';

export function mount(host: HTMLElement): void {
  createRoot(host).render(<QueryBuilder fields={[{ name: 'a', label: 'A' }]} />);
}
