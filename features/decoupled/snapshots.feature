@decoupled @simulation
Feature: Account snapshots from four sources
  The account snapshot shows the scorer the customer's bank account. It comes from a provider
  the customer logs in to (FinTecSystems with a wizard session key, Finreach with a location to
  redirect to), from the partner's own data, or from an account the customer already has at
  Solaris. On the mock, the simulator plays the customer's bank login.

  Background:
    Given a German retail customer who agreed to every legal screen

  Scenario Outline: The customer logs in to their bank through a snapshot provider
    Given the customer is registered as a person
    And the customer applied for a decoupled card
    When the partner starts an account snapshot through "<source>"
    Then the account snapshot is "pending" and gives the customer a "<handle>"
    And within 5 seconds the partner receives an ACCOUNT_SNAPSHOT webhook for the customer whose "payload.status" is "pending"
    When the partner links the account snapshot to the application
    Then the application is "account_snapshot_verification_pending"
    When the customer logs in to their bank, which shows a monthly salary of 1,200.00 EUR
    Then the account snapshot is "available"
    And within 5 seconds the application is "offered" with a limit of 600.00 EUR
    And within 5 seconds the partner receives an ACCOUNT_SNAPSHOT webhook for the customer whose "payload.status" is "available"

    Examples:
      | source           | handle             |
      | FIN_TECH_SYSTEMS | wizard_session_key |
      | FINREACH         | location           |

  Scenario: A failed bank login sends the application back for a new snapshot
    Given the customer is registered as a person
    And the customer applied for a decoupled card
    When the partner starts an account snapshot through "FINREACH"
    And the partner links the account snapshot to the application
    And the customer's bank login fails
    Then within 5 seconds the application is "account_snapshot_pending"
    And the account snapshot is "failed"
    When the customer shares three months of their bank account: a salary of 1,000.00 EUR, rent of 500.00 EUR, loan repayments of 0.00 EUR and a balance of 0.00 EUR
    Then the account snapshot is "available"
    When the partner links the account snapshot to the application
    Then within 5 seconds the application is "offered" with a limit of 250.00 EUR

  Scenario: The customer's current account at Solaris is the snapshot
    Given the customer has been onboarded with a current account
    And the customer's current account received 3 transfers of 1,000.00 EUR
    And the customer applied for a decoupled card
    When the partner takes an account snapshot of the customer's current account at Solaris
    Then the account snapshot is "available"
    When the partner links the account snapshot to the application
    Then within 5 seconds the application is "offered" with a limit of 500.00 EUR
