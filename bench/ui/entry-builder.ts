// bench:ui bundle size: everything a page needs for <segment-builder> (the element, the core it uses, Lit).
export * from '../../editor-component/index';
