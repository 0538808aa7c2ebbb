package wxpay

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/verifiers"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"
)

// Signature vectors made with the openssl CLI by testdata/make_vectors.sh, e.g.
//
//	printf 'GET\n/v3/…\n1700000000\nNONCE…\n\n' | openssl dgst -sha256 -sign merchant_key.pem | base64 -w0
//
// RSA PKCS#1 v1.5 is deterministic, so the client's signer must reproduce
// them exactly.
var requestVectors = []struct {
	name, message, signature string
}{
	{
		name:      "GET without query",
		message:   "GET\n/v3/apply4subject/applyment/merchants/1900000109/state\n1700000000\nNONCE0123456789abcdefghijklmnopq\n\n",
		signature: "kPaWXZDqff2mRU3aqU1RfSEXUn18YnYISoYi9sEKFTKyiXvxxZGL2qSR8pL4oBosTgt+5gGlu7ShwgCZ1NVjcteTDTovHDuD6+JgzR05dc1rBTT3SZ6051HJqWfeHDtghtqR1pKWJC0sVFcex5iHJ3Dtazl87ruTIU0anboZZ84rcC5BeXr1oeYVp+scfbOaN2DasFEFZZGfUVReRxft9/TxraJEAXNuR0npxl8phjHiPa68/c5AWRokakVf6ULcJihCLC+RuOQmEHhpdyKqSpfLA0eZuMoW3xRacvavYWtV+tLxVxsa63BmbNsi2D/G0EXbjL3fqn9QczPZNblCKw==",
	},
	{
		name:      "GET with encoded query",
		message:   "GET\n/v3/marketing/partnerships?authorized_data=%7B%22business_type%22%3A%22BUSIFAVOR_STOCK%22%2C%22stock_id%22%3A%222433405%22%7D&limit=5&offset=0\n1700000001\nQUERYNONCE0123456789abcdefghijkl\n\n",
		signature: "ZPAasNXJQrPO1/kV4Rk1MkAF+5VBLEEctbFJSnibrfIRJL0DIulNKy8FPfnGZ68/0rk0cadGjlCtCOvXeMeYOrBiZ0ntbhtj5BiJH8p4tCXZreCbgegcllz6Pm/H6JkPuw9bxH8qNCaAKIV5F76JH+LBC2JcKCd8okHm3LJSs9Z2svicgbCZ9jnug5dI3xvMaUHp2HDXWehhMeqrnnZZ39roy9CObFB7FTlmtv3vf+WO7EJoFNDM9damvmKFPUXyjafpB9/5xiSgoI2akIXBojbSR3aO/45Akj6UEFkpjwk8D+ub1JRWDwL5AAfh1rmHfgSnviNpWp3T+wfa+hi7KA==",
	},
	{
		name:      "POST body ending in newline",
		message:   "POST\n/v3/goldplan/merchants/changegoldplanstatus\n1700000002\nPOSTNONCE0123456789abcdefghijklm\n{\"sub_mchid\":\"1900000109\",\"operation_type\":\"OPEN\"}\n\n",
		signature: "GrI4MYw2DD2EwYwjBtLl99b0KGmaM1PQMBYfXKZUAEmb8sWY8F+Y+7KTf6EcU3zimM8zF8SReS3PGRGIALq+61WYzZUeRtpUDSzxtz8QIU/nRiD1Qd71sps3QV0LIhnuyJJVdq9/zAHcS/qHoEDcePPkp6XH4rVt8YuSKSyA4LMna2+uEZH8xcj4FUQSpywfwhFmQHfdc3Ekd8lCv6g1duOq/+NYvUMFwLJ28xz+wEw7IIOEwrcLP+0ykKg0DwFnF2BWSG01Z6hRTV/r4r3DFUxfF1+KXs/wQAZShKKvzFYUcBdNN1/ZLtz+xTTjW2iNtoN/kwTTsHiJxMMcdpfRNA==",
	},
	{
		name:      "PATCH",
		message:   "PATCH\n/v3/goldplan/merchants/open-advertising-show\n1700000003\nPATCHNONCE0123456789abcdefghijkl\n{\"sub_mchid\":\"1900000109\",\"advertising_industry_filters\":[\"E_COMMERCE\",\"CAR\"]}\n",
		signature: "NWmoEMp2PGzkiAqw6XdR9sfajKPw3cEC1WYD4kkU+U/8KWZxK+NOWLLfUEHUFCSrZ+T+f27Ey40fsOpeGcy0ZI0r7PsqH8oKt4L3T8lA5AfaiGGVe0VpP/cs58nyS0Np/KEuoaa9Y70kFJribTiSLzQFa+HJZNX7QQuXP3t0Y7NZhobdf+3lRe6gJTl1fuGDmArw+RhjdPBmsKzyYlt4AHtXaLVtJe8/A3qJGWghuPbG9GSSb+chSZe8TdI7z1Hh4lVnfGDg8aCXyUKrwe7DkATdwRfcC8D0J6OzDvxXcGOBKArIYpyLBmUGbUa4pAx4e1T1e0QV2ea6ZUiP5zXunw==",
	},
}

func TestSignerReproducesOpensslVectors(t *testing.T) {
	c := newEnv(t, nil).client
	for _, v := range requestVectors {
		t.Run(v.name, func(t *testing.T) {
			res, err := c.cred.Signer.Sign(context.Background(), v.message)
			if err != nil {
				t.Fatal(err)
			}
			if res.Signature != v.signature {
				t.Errorf("signature mismatch:\n got %s\nwant %s", res.Signature, v.signature)
			}
			if res.MchID != testMchID || res.CertificateSerialNo != testMerchantSN {
				t.Errorf("signer identity = %q/%q", res.MchID, res.CertificateSerialNo)
			}
		})
	}
}

// Answer vectors signed by openssl with testdata/platform_pubkey_mode_key.pem.
var answerVectors = []struct {
	name, ts, nonce, body, signature string
}{
	{
		name: "204 without body", ts: "1700000004", nonce: "RESPNONCE0123456789abcdefghijklm", body: "",
		signature: "YR/VY6CvdJzxoLKr4YehLvuf3ZTN8QNd4OP9okjdvbqQt+xp20W+AIh0Y/yKl01qAZbhZsEuI+LAq4fhoQzU6jw6cxSBKAuVKKHR528PKIuhvxBCvkiMhJOuHjUuaqH1S2x5JD3r3ntQ5Eix/zZ50crmsMM4EZGNoIp9LngKiibNZzNogD3KIS1gASFzPb47ci2xCY+/mXJfBVPomv389y+fg2EqhhpktzbDIQE8oqTo4agNlF3Dw5p7iB9ov9lEVW1L7R8f54Ek9urO/U5qZ1QGHvzU2Ra7gFrHg55yl7UnJxO10qdn49GbqyuR5xKOgXWQqunp16sBkzQXGX6//A==",
	},
	{
		name: "200 with body", ts: "1700000005", nonce: "RESPNONCE0123456789abcdefghijklm", body: okStateBody,
		signature: "fuiVSMXZ7gzKhErUe3BtrBSfe6c6C2XpcKmdytUleJuzBx76pQQ86WssGlta35pygmRyYJjfv2fQQu426E796bcv4nqn/8rJtemnuqgKbelb+QgHvyP0yOsmhCnE8mzL1d7rL+tVnSlSJyaeJZZ5F/BplkPf5mNX7G7vIEdCDf9IMI2CNN5qeGVPiliTaH88ReTxkS4AYO7GpHmIYeum0+Q7phtPOxkSqk51RZVWfgenQa/rKPVgTvY/S1CYPXtyS2ufkv1heZbvdDBpe/3hId6zV61GeynPBJtRI9LeLTd5tpad5lGkfseSsZIBN/akSTc35zOb33OQQ6qoLiBQTw==",
	},
}

func TestAnswerVectors(t *testing.T) {
	pub, err := ParsePublicKey(readTestdata(t, "platform_pubkey_mode_pub.pem"))
	if err != nil {
		t.Fatal(err)
	}
	v := verifiers.NewSHA256WithRSAPubkeyVerifier(testPubKeyID, *pub)
	c := newEnv(t, nil).client
	for _, vec := range answerVectors {
		t.Run(vec.name, func(t *testing.T) {
			msg := vec.ts + "\n" + vec.nonce + "\n" + vec.body + "\n"
			if err := v.Verify(context.Background(), testPubKeyID, msg, vec.signature); err != nil {
				t.Errorf("openssl vector does not verify: %v", err)
			}
			if err := v.Verify(context.Background(), testPubKeyID, msg+" ", vec.signature); err == nil {
				t.Error("altered message verified")
			}
			// The vectors are from 2023: the full check must refuse them as
			// stale even though the signature itself is good.
			a := &answer{status: 200, body: []byte(vec.body), header: http.Header{}}
			a.header.Set("Wechatpay-Timestamp", vec.ts)
			a.header.Set("Wechatpay-Nonce", vec.nonce)
			a.header.Set("Wechatpay-Signature", vec.signature)
			a.header.Set("Wechatpay-Serial", testPubKeyID)
			err := c.verifyAnswer(context.Background(), a)
			var ve *VerificationError
			if !errors.As(err, &ve) || !strings.Contains(ve.Reason, "away from the local clock") {
				t.Errorf("stale vector: got %v, want a clock VerificationError", err)
			}
		})
	}
}

// The AES-256-GCM vector was made with a standalone program (not in the
// repo) using only the standard library:
//
//	block, _ := aes.NewCipher([]byte("0123456789abcdefghijklmnopqrstuv"))
//	gcm, _ := cipher.NewGCM(block)
//	ct := gcm.Seal(nil, []byte("nonce0123456"), plain, []byte("certificate"))
//	fmt.Println(base64.StdEncoding.EncodeToString(ct))
//
// with plain = gcmPlain below.
const (
	gcmKey        = "0123456789abcdefghijklmnopqrstuv"
	gcmNonce      = "nonce0123456"
	gcmAAD        = "certificate"
	gcmPlain      = "-----BEGIN CERTIFICATE-----\nnot really a certificate\n-----END CERTIFICATE-----\n"
	gcmCiphertext = "lvYbhDRZ4JkM1AjL3ZsJejAwyR+E7pqwz5bovXe2RUexaZsoPhq1wtDxV/7bCVqv6JdmhLfnpI15xpgeKQSc9+H8CRhNpP2X/DVMKCcwEx88OxNuhZJGsmBwhAlAFzI="
)

func TestDecryptAES256GCMVector(t *testing.T) {
	tests := []struct {
		name, key, aad, nonce string
		wantErr               bool
	}{
		{"matching key", gcmKey, gcmAAD, gcmNonce, false},
		{"wrong key", "0123456789abcdefghijklmnopqrstuw", gcmAAD, gcmNonce, true},
		{"wrong associated data", gcmKey, "certificatf", gcmNonce, true},
		{"wrong nonce", gcmKey, gcmAAD, "nonce0123457", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := utils.DecryptAES256GCM(tt.key, tt.aad, tt.nonce, gcmCiphertext)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("decrypted with %s: %q", tt.name, got)
				}
				return
			}
			if err != nil || got != gcmPlain {
				t.Fatalf("got %q, %v; want %q", got, err, gcmPlain)
			}
		})
	}
}
