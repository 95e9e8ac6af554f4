import { SERVICE_CLASSES } from '../../src/container.js';
import type { ApiDescribed, ApiOperation } from '../../src/services/api-table.js';

export interface CatalogEntry {
  className: string;
  methodName: string;
  operation: ApiOperation;
}

/** Every operation of every class the container resolves, in declaration order. */
export function apiCatalog(classes: readonly ApiDescribed[] = SERVICE_CLASSES): CatalogEntry[] {
  return classes.flatMap((service) =>
    Object.entries(service.api).map(([methodName, operation]) => ({ className: service.name, methodName, operation })),
  );
}

/** The method table of docs/api.md, one row per operation. */
export function renderApiTable(entries: readonly CatalogEntry[] = apiCatalog()): string {
  const rows = entries.map(({ className, methodName, operation }) => {
    const app = operation.appParam === undefined ? '' : `\`${operation.appParam}\``;
    return `| ${className} | \`${methodName}\` | ${operation.method} | \`${operation.path}\` | ${operation.status} | ${app} |`;
  });
  return ['| Class | Method | HTTP | Path | Success | Authorised app |', '|---|---|---|---|---|---|', ...rows].join('\n');
}
