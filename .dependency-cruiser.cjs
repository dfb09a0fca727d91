/**
 * The layering rule (`npm run lint`): each app is domain → application → infrastructure / api, and
 * nothing points back up. Composition roots (`*.module.ts`, `main.ts`, `cli/`) and tests may import
 * every layer: they wire real adapters to use cases.
 */
const notTest = '(\\.spec\\.ts$|/test/|/testing/)';
const app = '^apps/([^/]+)/src/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'apps-are-separate',
      comment: 'An app never imports another app: what two apps share lives in libs/.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'domain-is-pure',
      comment: 'domain imports nothing of its app but domain (libs are fine).',
      severity: 'error',
      from: { path: `${app}domain/`, pathNot: notTest },
      to: { path: '^apps/', pathNot: `${app}domain/` },
    },
    {
      name: 'application-depends-on-domain-and-ports',
      comment:
        'application imports domain, application (its ports) and libs: never SQL, Kafka or HTTP adapters.',
      severity: 'error',
      from: { path: `${app}application/`, pathNot: notTest },
      to: { path: '^apps/', pathNot: `${app}(domain|application)/` },
    },
    {
      name: 'adapters-do-not-import-each-other-upward',
      comment: 'infrastructure never imports api, cli or the composition root.',
      severity: 'error',
      from: { path: `${app}infrastructure/`, pathNot: notTest },
      to: { path: `${app}(api/|cli/|main\\.ts|[^/]+\\.module\\.ts)` },
    },
    {
      name: 'api-does-not-import-the-composition-root',
      severity: 'error',
      from: { path: `${app}api/`, pathNot: notTest },
      to: { path: `${app}(cli/|main\\.ts|[^/]+\\.module\\.ts)` },
    },
    {
      name: 'api-does-not-import-infrastructure',
      comment: 'Controllers get use cases injected; they never reach for a pool, a store or a runtime.',
      severity: 'error',
      from: { path: `${app}api/`, pathNot: notTest },
      to: { path: `${app}infrastructure/` },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { pathNot: notTest },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules|\\.data)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
