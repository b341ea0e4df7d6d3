@decoupled @simulation
Feature: Changing and disabling the credit limit
  The customer may ask for a lower limit than the one granted, or disable it, and ask again
  later, never above what the scorer granted and never below what a negative balance already
  uses. The limit is a money object in cents, as the guide's example shows.

  Background:
    Given a German retail customer who agreed to every legal screen
    And the customer has a decoupled card with a limit of 500.00 EUR

  Scenario: The customer lowers the limit, disables it and asks for it again
    When the customer asks for a limit of 300.00 EUR
    Then the account's balance is 0.00 EUR with a limit of 300.00 EUR
    When the customer disables the limit
    Then the account's balance is 0.00 EUR with a limit of 0.00 EUR
    When the customer pays 0.01 EUR with the card
    Then the request is refused with status 400 and code "invalid_model" on field "amount"
    When the customer asks for a limit of 500.00 EUR
    Then the account's balance is 0.00 EUR with a limit of 500.00 EUR

  Scenario Outline: A limit outside what the customer may ask for is refused
    When the customer asks for a limit of <limit>
    Then the request is refused with status 400 and code "invalid_model" on field "limit"
    And the account's balance is 0.00 EUR with a limit of 500.00 EUR

    Examples:
      | limit        | why                      |
      | 99.99 EUR    | below the EUR 100 minimum |
      | 500.01 EUR   | above the granted limit  |
      | 1,000.00 EUR | above the granted limit  |

  Scenario: The limit cannot drop below what the customer already uses
    Given the customer paid 250.00 EUR with the card
    When the customer asks for a limit of 200.00 EUR
    Then the request is refused with status 400 and code "invalid_model" on field "limit"
    When the customer disables the limit
    Then the request is refused with status 400 and code "validation_error"
    And the account's balance is -250.00 EUR with a limit of 500.00 EUR

  Scenario: A limit sent as a plain number of euros is refused
    When the partner sends the limit as the plain number 300, "in EURO"
    Then the request is refused with status 400 and code "type_error" on field "limit"
