/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy` (cdk.json runs it with tsx). The stack, its
 * context flags and the cdk-nag checks are defined in lib/adaptor-app.ts; see docs/deploy.md.
 */
import { App } from 'aws-cdk-lib';
import { buildAdaptorApp } from '../lib/adaptor-app';

buildAdaptorApp(new App());
