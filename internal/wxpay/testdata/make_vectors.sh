#!/bin/sh
# Regenerates the signature vectors in vectors_test.go with the openssl CLI,
# independently of Go and the SDK. RSA PKCS#1 v1.5 signatures are
# deterministic, so the client's signer must reproduce them byte for byte.
# Run from this directory; paste the output into vectors_test.go.
set -eu
sign() { # $1 name, $2 key, $3 printf format of the message
	printf '%s %s\n' "$1" "$(printf "$3" | openssl dgst -sha256 -sign "$2" | base64 -w0)"
}
sign get_state merchant_key.pem 'GET\n/v3/apply4subject/applyment/merchants/1900000109/state\n1700000000\nNONCE0123456789abcdefghijklmnopq\n\n'
sign get_query merchant_key.pem 'GET\n/v3/marketing/partnerships?authorized_data=%%7B%%22business_type%%22%%3A%%22BUSIFAVOR_STOCK%%22%%2C%%22stock_id%%22%%3A%%222433405%%22%%7D&limit=5&offset=0\n1700000001\nQUERYNONCE0123456789abcdefghijkl\n\n'
sign post_newline merchant_key.pem 'POST\n/v3/goldplan/merchants/changegoldplanstatus\n1700000002\nPOSTNONCE0123456789abcdefghijklm\n{"sub_mchid":"1900000109","operation_type":"OPEN"}\n\n'
sign patch merchant_key.pem 'PATCH\n/v3/goldplan/merchants/open-advertising-show\n1700000003\nPATCHNONCE0123456789abcdefghijkl\n{"sub_mchid":"1900000109","advertising_industry_filters":["E_COMMERCE","CAR"]}\n'
sign answer_204 platform_pubkey_mode_key.pem '1700000004\nRESPNONCE0123456789abcdefghijklm\n\n'
sign answer_body platform_pubkey_mode_key.pem '1700000005\nRESPNONCE0123456789abcdefghijklm\n{"authorize_state":"AUTHORIZE_STATE_AUTHORIZED"}\n'
