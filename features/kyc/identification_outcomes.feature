@kyc @simulation
Feature: What an IDnow video identification allows next
  Every customer is identified before an account is opened. With IDnow, the partner creates an
  identification, requests it (the customer gets a link valid for 14 days), and IDnow reports
  how the video call ended. Each outcome decides what the partner may do next.

  Background:
    Given a German retail customer who agreed to every legal screen
    And the customer is registered as a person
    And the partner started and requested a video identification

  Scenario Outline: An identification by <method> in <language> with <proof> issued <days> days ago is refused on <field>
    When the partner starts an identification by "<method>" in "<language>" with proof of address "<proof>" issued <days> days ago
    Then the request is refused with status 400 and code "invalid_model" on field "<field>"

    Examples:
      | method | language | proof      | days | field                      |
      | skype  | DE       | none       | 0    | method                     |
      | idnow  | FR       | none       | 0    | language                   |
      | idnow  | DE       | PAYSLIP    | 10   | proof_of_address_type      |
      | idnow  | EN       | GAS_BILL   | 200  | proof_of_address_issued_at |
      | idnow  | EN       | WATER_BILL | -3   | proof_of_address_issued_at |

  Scenario: A proof of address less than six months old is accepted
    When the partner starts an identification by "idnow" in "EN" with proof of address "GAS_BILL" issued 150 days ago
    Then the identification is "created"

  Scenario Outline: The outcome "<outcome>" makes the identification check <check>
    When IDnow reports the identification as "<outcome>"
    Then the identification is "<outcome>"
    And within 5 seconds the partner receives an IDENTIFICATION webhook for the customer whose "status" is "<outcome>"
    And the onboarding readiness check "KYC identification" is <check>
    And <what comes next>

    Examples:
      | outcome            | check  | what comes next                                 |
      | successful         | green  | the identification is final                     |
      | pending_successful | green  | the provider's review can still end it as successful |
      | pending_failed     | yellow | the provider's review can still end it as successful |
      | aborted            | yellow | the customer can retry with the same link       |
      | canceled           | yellow | the customer can retry with the same link       |
      | failed             | red    | the partner must start a new identification     |
      | expired            | red    | the partner must start a new identification     |

  Scenario Outline: IDnow cannot move an identification from <first> to <then>
    Given IDnow reports the identification as "<first>"
    When IDnow reports the identification as "<then>"
    Then the request is refused with status 400 and code "validation_error"
    And the identification is "<first>"

    Examples:
      | first              | then               |
      | successful         | failed             |
      | successful         | pending_successful |
      | failed             | successful         |
      | expired            | successful         |
      | pending_successful | pending_failed     |
      | pending_failed     | aborted            |

  Scenario: Calls that did not succeed are listed, and the successful one shows its documents
    When IDnow reports the identification as "aborted"
    And IDnow reports the identification as "canceled"
    And IDnow reports the identification as "successful" with a passport from "DE"
    Then the IDnow attempts list 2 calls that did not succeed
    And the identification shows the documents of the video call and the legitimation country "DE"

  Scenario: An account opened while the provider reviews is blocked when the review fails
    Given a German retail customer who agreed to every legal screen
    And the customer has been onboarded with a current account, identified as "pending_successful"
    When IDnow reports the identification as "failed"
    Then the account is blocked because of "IDENTIFICATION_FAILED"
    And within 5 seconds the partner receives an ACCOUNT_BLOCK webhook for the customer whose "locking_status" is "BLOCK"
