@kyc @simulation @serial
Feature: Expiring ID documents in Italy and Spain
  In its Italian and Spanish branches Solaris must keep a valid ID document on file for every
  active customer. When the document is about to expire, the partner gets a
  POTENTIAL_ACCOUNT_BLOCKING notice 30 days before and every 30 days after, naming the date by
  which the account will be blocked; 90 days after the expiry the account is blocked, until the
  customer identifies again with a valid document.

  Scenario Outline: The ID document of a <market> customer expires: notices, a block, a new identification
    Given a <market> retail customer who agreed to every legal screen
    And the customer has been onboarded with a current account, identified with an ID document that expires in 40 days
    When 10 days pass
    Then within 5 seconds the partner receives a POTENTIAL_ACCOUNT_BLOCKING webhook for the customer whose "reason" is "IDENTIFICATION_DOCUMENT_EXPIRED"
    And the webhook says the account will be blocked 90 days after the document expires
    When 90 days pass
    Then within 5 seconds the partner's endpoint has been sent the POTENTIAL_ACCOUNT_BLOCKING webhook for the customer 4 times
    And the account is not blocked
    When 30 days pass
    Then the account is blocked because of "IDENTIFICATION_DOCUMENT_EXPIRED"
    And within 5 seconds the partner receives an ACCOUNT_BLOCK webhook for the customer whose "locking_status" is "BLOCK"
    When the customer identifies again with an ID document that expires in 5 years
    Then the account is not blocked
    And within 5 seconds the partner receives an ACCOUNT_BLOCK webhook for the customer whose "locking_status" is "NO_BLOCK"

    Examples:
      | market  |
      | Italian |
      | Spanish |

  Scenario: A German customer's expiring document brings no notice
    Given a German retail customer who agreed to every legal screen
    And the customer has been onboarded with a current account, identified with an ID document that expires in 40 days
    When 150 days pass
    Then the partner's endpoint has still been sent the POTENTIAL_ACCOUNT_BLOCKING webhook for the customer 0 times
    And the account is not blocked
