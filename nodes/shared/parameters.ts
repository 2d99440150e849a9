/**
 * Parameters read per item only when they must be: n8n resolves a parameter for an item index, which
 * costs microseconds per call; a parameter that holds no n8n expression is the same for every item,
 * so it is read once. One that does (`={{ $json.x }}`) is still resolved for each item.
 */
import type { IExecuteFunctions, NodeParameterValueType } from 'n8n-workflow';

export function perItem<T>(context: IExecuteFunctions, name: string, fallback?: T): (itemIndex: number) => T {
  const raw = context.getNode().parameters[name];
  if (!hasExpression(raw)) {
    const value = context.getNodeParameter(name, 0, fallback as NodeParameterValueType) as T;
    return () => value;
  }
  return (itemIndex) => context.getNodeParameter(name, itemIndex, fallback as NodeParameterValueType) as T;
}

/** Whether a raw parameter value holds an n8n expression anywhere (a string starting with `=`). */
export function hasExpression(value: unknown): boolean {
  if (typeof value === 'string') return value.startsWith('=');
  if (Array.isArray(value)) return value.some(hasExpression);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasExpression);
  return false;
}
