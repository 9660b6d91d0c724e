/**
 * Runtime configuration of the adaptor, from deploy-time stack parameters and Secrets Manager, never
 * hard-coded. Produces the environment every function gets, the legacy secret and
 * the cursor-signing secret. Which function may read which secret is decided by the stack.
 */
import { CfnParameter, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface AdaptorConfigProps {
  /**
   * Complete ARN of an existing secret holding the legacy secret key (its whole SecretString).
   * @default - the stack creates and owns a generated secret
   */
  readonly secretKeyArn?: string;
}

export class AdaptorConfig extends Construct {
  /** Environment for every function. */
  readonly environment: Readonly<Record<string, string>>;
  /** Legacy-protocol shared secret; only functions serving a legacy path may read it. */
  readonly secretKey: secretsmanager.ISecret;
  /** HMAC key query cursors are signed with; only `read` functions may read it. */
  readonly cursorSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: AdaptorConfigProps = {}) {
    super(scope, id);
    // Parameters live directly in the stack so their logical ids are the plain names users pass
    // to `cdk deploy --parameters Name=value`.
    const stack = Stack.of(this);

    const publicKey = new CfnParameter(stack, 'WixPublicKey', {
      type: 'String',
      minLength: 1,
      description:
        'Public key(s) Wix signs V3 requests with: the PEM, base64-encoded (a parameter cannot hold ' +
        'line breaks); several keys separated by commas while Wix rotates them.',
    });
    // No default: an empty app id would accept tokens Wix minted for any other app. `*` says so explicitly.
    const appId = new CfnParameter(stack, 'WixAppId', {
      type: 'String',
      minLength: 1,
      description:
        'Wix app id: V3 requests must carry it as JWT audience. * accepts tokens minted for any Wix app (logged; not recommended).',
    });
    const allowedTenants = new CfnParameter(stack, 'AllowedTenants', {
      type: 'String',
      default: '',
      description: 'Comma-separated Wix instance ids allowed to use this adaptor. Empty: any tenant.',
    });

    const legacyTenant = new CfnParameter(stack, 'LegacySecretKeyTenant', {
      type: 'String',
      default: '',
      description:
        'The one tenant the legacy secret key opens. Empty: a legacy tenant of its own (legacy/default); ' +
        "a V3 instance id shares that installation's data; none: only issued site secrets open tenants.",
    });
    const revoked = new CfnParameter(stack, 'LegacyRevokedSecrets', {
      type: 'String',
      default: '',
      description:
        'Comma-separated issued site secrets that no longer work: <tenant> or <tenant>@<generation>.',
    });
    const permissions = new CfnParameter(stack, 'LegacyPermissions', {
      type: 'String',
      default: '',
      description:
        'Legacy role policy overrides, JSON {"<collection>"|"*": {"read"|"insert"|"update"|"remove": ' +
        'ADMIN|SITE_MEMBER_AUTHOR|SITE_MEMBER|ANYONE}}. Empty: reads for every role, writes for owner and backend code.',
    });
    const tracing = new CfnParameter(stack, 'Tracing', {
      type: 'String',
      default: 'false',
      allowedValues: ['true', 'false'],
      description: 'X-Ray tracing of every function and its DynamoDB calls (costs per trace).',
    });

    const pagingMode = new CfnParameter(stack, 'PagingMode', {
      type: 'String',
      default: 'OFFSET',
      allowedValues: ['OFFSET', 'CURSOR'],
      description:
        'How Wix pages queries: OFFSET (paging.offset) or CURSOR (cursorPaging, one page per request for any sort).',
    });

    this.secretKey = props.secretKeyArn
      ? secretsmanager.Secret.fromSecretCompleteArn(this, 'SecretKey', props.secretKeyArn)
      : this.generatedSecret();
    this.cursorSecret = this.generatedCursorSecret();

    this.environment = {
      WIX_PUBLIC_KEY: publicKey.valueAsString,
      WIX_APP_ID: appId.valueAsString,
      ALLOWED_TENANTS: allowedTenants.valueAsString,
      WIX_SECRET_KEY_TENANT: legacyTenant.valueAsString,
      LEGACY_REVOKED_SECRETS: revoked.valueAsString,
      LEGACY_PERMISSIONS: permissions.valueAsString,
      // Read by Powertools Tracer; OperationFunction switches active tracing on from the same value.
      POWERTOOLS_TRACE_ENABLED: tracing.valueAsString,
      PAGING_MODE: pagingMode.valueAsString,
    };
  }

  private generatedSecret(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'SecretKey', {
      description: 'Wix adaptor: secret key that legacy (STANDALONE) Wix connections send in every request',
      generateSecretString: {
        passwordLength: 48,
        // Users paste it into a Wix form; punctuation invites quoting and copy-paste mistakes.
        excludePunctuation: true,
      },
      // Same lifecycle as the table: after a stack is deleted and redeployed with
      // `-c secretKeyArn=...`, existing Wix connections keep working against the retained data.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The key is a shared secret pasted by hand into the Wix CMS; an automatic rotation would silently ' +
        'break every legacy connection. Rotate it deliberately (docs/deploy.md).',
    });
    return secret;
  }

  private generatedCursorSecret(): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'CursorSecret', {
      description: 'Wix adaptor: HMAC key that query cursors are signed with (never leaves AWS)',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      // A replaced key only invalidates the cursors in flight, but keeping it costs nothing and
      // follows the same lifecycle as the table and the legacy key.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation is supported by hand (put-secret-value, docs/deploy.md). An automatic schedule would ' +
        'invalidate every query cursor in flight at that moment (Wix paging fails mid-way), and would need a ' +
        'rotation function for a random key that never leaves AWS and is not a credential.',
    });
    return secret;
  }
}
