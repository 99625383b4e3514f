"""An S3 server for the tests: moto's server on a free loopback port.

It makes one bucket and one IAM user whose access key may use only that
bucket (and buckets named NAME-..., which do not exist), then turns on moto's request authentication, so that a request
signed with another key or a wrong secret is refused as a real S3 refuses
it. It prints one JSON line (endpoint, region, bucket, access key ID and
secret) and serves until its standard input closes, which happens when the
process that started it exits, however it exits.

    python3 moto_s3.py --bucket NAME [--region REGION] [--host 127.0.0.1]
"""

import argparse
import json
import logging
import sys
from urllib.parse import quote, unquote


def sign_encoded_query() -> None:
    """Check signatures over the query as the client sent it, encoded.

    moto 5.2.1 computes a request's signature from a query that werkzeug
    has already decoded, so a listing with prefix=runs%2F, signed by the
    client as S3 specifies, fails as SignatureDoesNotMatch. Encoding each
    name and value again, as SigV4's canonical query does, gives the
    string the client signed.
    """
    from moto.iam import access_control

    create = access_control.S3IAMRequest._create_aws_request

    def encoded(self):  # type: ignore[no-untyped-def]
        path, _, query = self._path.partition("?")
        if query:
            pairs = (pair.partition("=") for pair in query.split("&"))
            self._path = path + "?" + "&".join(
                quote(unquote(k), safe="-_.~") + eq + quote(unquote(v), safe="-_.~")
                for k, eq, v in pairs)
        return create(self)

    access_control.S3IAMRequest._create_aws_request = encoded


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bucket", required=True)
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--host", default="127.0.0.1")
    args = ap.parse_args()

    # Imported here so that a missing package is reported below, not as a
    # traceback.
    try:
        import boto3
        from moto import settings
        from moto.server import ThreadedMotoServer
    except ImportError as err:
        print(f"moto_s3: moto[server] is not installed: {err}", file=sys.stderr)
        return 3

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    sign_encoded_query()
    # Every request is unauthenticated until the user exists.
    settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")
    server = ThreadedMotoServer(ip_address=args.host, port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"

    setup = dict(endpoint_url=endpoint, region_name=args.region,
                 aws_access_key_id="setup", aws_secret_access_key="setup")
    iam = boto3.client("iam", **setup)
    s3 = boto3.client("s3", **setup)
    if args.region == "us-east-1":
        s3.create_bucket(Bucket=args.bucket)
    else:
        s3.create_bucket(Bucket=args.bucket,
                         CreateBucketConfiguration={"LocationConstraint": args.region})
    iam.create_user(UserName="netbox-agent")
    iam.put_user_policy(UserName="netbox-agent", PolicyName="bucket", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": "s3:*",
            # The bucket, and buckets named after it that do not exist, so
            # that a test can ask for a missing bucket with a key allowed on it.
            "Resource": [f"arn:aws:s3:::{args.bucket}", f"arn:aws:s3:::{args.bucket}/*",
                         f"arn:aws:s3:::{args.bucket}-*"],
        }],
    }))
    key = iam.create_access_key(UserName="netbox-agent")["AccessKey"]
    # From now on every request must be signed with the user's key.
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0

    print(json.dumps({
        "endpoint": endpoint,
        "region": args.region,
        "bucket": args.bucket,
        "access_key_id": key["AccessKeyId"],
        "secret_access_key": key["SecretAccessKey"],
    }), flush=True)
    sys.stdin.read()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
