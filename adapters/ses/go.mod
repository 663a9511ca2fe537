module github.com/bharatauth/bharatauth-go/adapters/ses

go 1.26

require (
	github.com/bharatauth/bharatauth-go/ports v0.0.0
)

replace (
	github.com/bharatauth/bharatauth-go/ports => ../../ports
)
