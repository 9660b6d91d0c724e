/**
 * The public HTTP API: one exact `POST <path>` route per path in the route table, each integrated
 * with its operation's function. Nothing else is routed, so an unknown path is API Gateway's 404
 * and never reaches a function.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Fields HTTP APIs support in access logs: enough to trace a request to its Lambda invocation. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  time: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
};

export interface AdaptorApiProps {
  /** Stage-wide throttling for all callers together (anyone with the URL can call the API). */
  readonly throttle: apigw.ThrottleSettings;
}

export class AdaptorApi extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;

  constructor(scope: Construct, id: string, props: AdaptorApiProps) {
    super(scope, id);

    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Wix external database adaptor',
      // The default stage cannot be given access logs; ours below is the `$default` stage instead.
      createDefaultStage: false,
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    Validations.of(this.httpApi).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Wix cannot send API Gateway credentials. Each function authenticates the request itself before any ' +
        'parsing or I/O: V3 bodies are RS256 JWTs verified against the Wix public key, legacy bodies carry ' +
        'the secret key (compared in constant time), /provision included; /v3/provision is intentionally open ' +
        '(it reveals nothing).',
    });
  }

  /**
   * Base URI for Wix: the API endpoint, served by the `$default` stage. Unlike `stage.url` it has no
   * trailing slash, so Wix's `{base}/v3/...` never becomes a `//v3/...` that no route matches.
   */
  get url(): string {
    return this.httpApi.apiEndpoint;
  }

  /** Routes `POST <path>` for each path to `fn`, with one integration per function. */
  addOperation(operation: string, fn: IFunction, paths: readonly string[]): void {
    const integration = new HttpLambdaIntegration(`${operation}Integration`, fn);
    for (const path of paths) {
      this.httpApi.addRoutes({ path, methods: [apigw.HttpMethod.POST], integration });
    }
  }
}
